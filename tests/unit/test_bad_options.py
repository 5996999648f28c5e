"""Bad command-line options and endpoint variables: exit 2 with one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.cli.main import run
from dynaguard.errors import UsageError
from dynaguard.sources.aws.options import AwsOptions, check_endpoint_environment, endpoint_problem


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("127.0.0.1:4566", "did you mean 'http://127.0.0.1:4566'"),
        ("localhost:4566", "did you mean 'http://localhost:4566'"),
        ("not-a-url", "needs http:// or https://"),
        ("ftp://example.com", "needs http:// or https://"),
        ("http://", "not a valid host"),
        ("http://exa mple.com", "not a valid host"),
        ("http://example.com:99999", "not a URL"),
        ("http://[::1", "not a URL"),
    ],
)
def test_bad_endpoint_url(url: str, expected: str) -> None:
    problem = endpoint_problem(url)
    assert problem is not None and expected in problem
    with pytest.raises(UsageError, match="--endpoint-url"):
        AwsOptions(endpoint_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:4566", "https://dynamodb.eu-west-1.amazonaws.com", "http://[::1]:80"]
)
def test_good_endpoint_url(url: str) -> None:
    assert endpoint_problem(url) is None
    assert AwsOptions(endpoint_url=url).endpoint_url == url


@pytest.mark.parametrize("name", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"])
def test_endpoint_environment(name: str) -> None:
    with pytest.raises(UsageError, match=f"^{name}: 'not-a-url'"):
        check_endpoint_environment({name: "not-a-url"})
    check_endpoint_environment({name: "http://127.0.0.1:1"})
    check_endpoint_environment({name: ""})  # empty: botocore ignores it too
    check_endpoint_environment({name: "x", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})


@pytest.mark.parametrize("command", ["scan", "harden"])
@pytest.mark.parametrize("url", ["127.0.0.1:4566", "not-a-url"])
def test_cli_bad_endpoint_option_is_exit_2(
    capsys: pytest.CaptureFixture[str], command: str, url: str
) -> None:
    extra = ["--dry-run"] if command == "harden" else []
    assert run([command, "--endpoint-url", url, "--region", "us-east-1", *extra]) == 2
    assert one_line(capsys).startswith(f"dynaguard {command}: error: --endpoint-url:")


def test_cli_bad_endpoint_environment_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "127.0.0.1:4566")
    assert run(["scan", "--region", "us-east-1"]) == 2
    assert one_line(capsys).startswith("dynaguard scan: error: AWS_ENDPOINT_URL_DYNAMODB:")


def test_cli_bad_endpoint_in_profile_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[default]\nregion = us-east-1\nendpoint_url = 127.0.0.1:4566\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert run(["scan", "--region", "us-east-1"]) == 2
    assert "Invalid endpoint" in one_line(capsys)


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_iac_missing_var_file_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    (tmp_path / "main.tf").write_text('variable "x" {}\n')
    var_file = tmp_path / ("nope.tfvars" if kind == "missing" else "")
    assert run(["iac", str(tmp_path), "--var-file", str(var_file)]) == 2
    line = one_line(capsys)
    assert line.startswith("dynaguard iac: error: --var-file")
    assert ("not found" if kind == "missing" else "a directory") in line
