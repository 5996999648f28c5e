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
