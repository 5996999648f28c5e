"""SARIF details a consumer depends on: ``artifactLocation.uri`` is a valid URI reference
relative to %SRCROOT% (QA F12), and a rule's ``security-severity`` (what GitHub shows) is the
control's severity in this run, as the configuration set it (QA F13)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urljoin

import pytest

from dynaguard.controls.base import Severity, Status
from dynaguard.formats.sarif import to_sarif
from dynaguard.report import Finding

from .reports import HOSTILE, finding, iac_report, live_report

# RFC 3986 URI-reference characters: unreserved, reserved and %XX escapes only.
URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-F]{2})*")


def _artifact(file: str) -> dict[str, str]:
    report = replace(iac_report(), findings=(finding(file=file, line=1),))
    (result,) = to_sarif(report)["runs"][0]["results"]
    artifact: dict[str, str] = result["locations"][0]["physicalLocation"]["artifactLocation"]
    return artifact


@pytest.mark.parametrize(
    ("file", "uri"),
    [
        (HOSTILE, "%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.tf"),
        ("infra/a b|c.tf", "infra/a%20b%7Cc.tf"),
        ("100%.tf", "100%25.tf"),
        ("c:main.tf", "c%3Amain.tf"),  # would read as a scheme
        ("données/t.tf", "donn%C3%A9es/t.tf"),
        ("raw\udcff.tf", "raw%FF.tf"),  # an undecodable byte in a file name
        ("./x/../main.tf", "main.tf"),
        ("ok/main.tf", "ok/main.tf"),
    ],
)
def test_uri_is_percent_encoded_relative_to_srcroot(
    file: str, uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    artifact = _artifact(file)
    assert artifact == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    assert URI_REFERENCE.fullmatch(artifact["uri"])
    base = to_sarif(iac_report())["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    resolved = unquote_to_bytes(urljoin(base, artifact["uri"]).removeprefix("file://"))
    expected = (tmp_path / file).resolve(strict=False)
    assert resolved == str(expected).encode("utf-8", "surrogateescape")


def test_a_file_outside_srcroot_is_an_absolute_file_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    for file in (str(tmp_path / "other dir" / "m.tf"), "../other dir/m.tf"):
        artifact = _artifact(file)
        assert "uriBaseId" not in artifact
        assert artifact["uri"] == (tmp_path / "other dir" / "m.tf").as_uri()
        assert "%20" in artifact["uri"] and URI_REFERENCE.fullmatch(artifact["uri"])


def _rules(report_findings: tuple[Finding, ...]) -> dict[str, dict[str, Any]]:
    report = replace(live_report(), findings=report_findings)
    rules = to_sarif(report)["runs"][0]["tool"]["driver"]["rules"]
    return {r["id"]: r for r in rules}


def test_security_severity_follows_the_configured_severity() -> None:
    # DDB.003 is medium in the catalog; a config set it to critical, so its findings say so
    rules = _rules(
        (
            finding("DDB.003", severity=Severity.CRITICAL),
            finding("DDB.003", Status.PASS, severity=Severity.CRITICAL, resource_id="b"),
            finding("DDB.002", severity=Severity.LOW),
        )
    )
    assert rules["DDB.003"]["properties"]["security-severity"] == "9.5"
    assert rules["DDB.003"]["defaultConfiguration"] == {"level": "error"}
    assert rules["DDB.002"]["properties"]["security-severity"] == "3.0"
    assert rules["DDB.002"]["defaultConfiguration"] == {"level": "note"}
    # a control without findings in this run keeps the catalog's severity (DDB.001: high)
    assert rules["DDB.001"]["properties"]["security-severity"] == "8.0"
