import json
import logging

from dynaguard.logs import redact, setup_logging


def test_redacts_access_keys_secrets_and_tokens():
    text = (
        "creds AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY "
        "aws_session_token=FQoGZXIvYXdzEJr//////////wEaDM x-amz-security-token: abc123"
    )
    out = redact(text)
    assert "AKIAIOSFODNN7EXAMPLE" not in out
    assert "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" not in out
    assert "FQoGZXIvYXdzEJr" not in out
    assert "abc123" not in out
    assert out.count("[REDACTED]") >= 4


def test_plain_text_untouched():
    text = "described table sentinel-approvals in us-east-1"
    assert redact(text) == text


def test_json_logs_carry_run_id_and_are_redacted(capsys):
    log = setup_logging(1, "json", "run-123")
    log.info("assumed role with key %s", "AKIAIOSFODNN7EXAMPLE")
    err = capsys.readouterr().err.strip().splitlines()
    entry = json.loads(err[-1])
    assert entry["run_id"] == "run-123"
    assert entry["level"] == "info"
    assert "AKIA" not in entry["msg"]
    logging.getLogger("dynaguard").handlers.clear()


def test_botocore_shapes_of_secrets_are_redacted():
    lines = {
        "{'X-Amz-Security-Token': b'IQoJb3JpZ2luX2VjEXAMPLE/tok+en='}": "IQoJb3Jp",
        "x-amz-security-token:FQoGZXIvYXdzEBYaDYcuMHwF1z6L4b2\nhost:sts.amazonaws.com": "FQoG",
        "b'Action=AssumeRole&ExternalId=MyExternalIdSecret123&RoleArn=x'": "MyExternal",
        "<Credentials><SessionToken>tok-abc</SessionToken>"
        "<SecretAccessKey>sk-abc</SecretAccessKey></Credentials>": "-abc",
        '{"ExternalId": "ext id with spaces", "SessionToken": "zzz"}': "spaces",
        "'Authorization': b'AWS4-HMAC-SHA256 Credential=x/y, Signature=deadbeef'": "deadbeef",
    }
    for line, secret in lines.items():
        out = redact(line)
        assert secret not in out, out
        assert "[REDACTED]" in out


def test_known_secret_values_are_redacted_in_any_syntax():
    from dynaguard.logs import register_secret

    register_secret("s3cr3t/value+x")
    assert redact("body=a%3Ds3cr3t%2Fvalue%2Bx&b") == "body=a%3D[REDACTED]&b"
    assert redact("plain s3cr3t/value+x here") == "plain [REDACTED] here"
    register_secret("ab")  # too short to be told apart from ordinary words: ignored
    assert redact("table ab") == "table ab"


def test_log_lines_are_sanitised(capsys):
    log = setup_logging(1, "text", "run-1")
    log.info("table %s", "x\x1b]8;;http://evil\x1b\\y\u202e")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\u202e" not in err
    assert "\\x1b]8;;http://evil" in err
    logging.getLogger("dynaguard").handlers.clear()
