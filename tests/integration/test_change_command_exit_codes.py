"""harden, provision and drill document exit codes 0 / 1 / 2: when the caller's identity cannot
be read (an endpoint that refuses connections) they exit 1 with one error line, where scan says
3 (audit incomplete)."""

from __future__ import annotations

import pytest

from dynaguard.cli.main import run

DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens


@pytest.fixture(autouse=True)
def _no_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.mark.parametrize(
    ("words", "code"),
    [
        (["harden", "--yes"], 1),
        (["provision", "--preset", "sessions", "--name", "sessions", "--yes"], 1),
        (["drill", "orders", "--yes"], 1),
        (["scan"], 3),
    ],
)
def test_an_unreachable_identity_is_a_failure_for_commands_that_change(
    words: list[str], code: int, tmp_path, capsys
) -> None:
    argv = [*words, "--region", "us-east-1", "--endpoint-url", DEAD]
    if words[0] in ("harden", "drill"):
        argv += ["--state-dir", str(tmp_path)]
    got = run(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert got == code, err
    assert "Traceback" not in err and len(lines) == 1
    assert "cannot establish the AWS identity" in lines[0]
