"""Files that do not parse, and inline suppressions."""

from __future__ import annotations

from tests.iac.conftest import FIXTURES, scan, status_of


def test_broken_terraform_file_is_reported_and_the_rest_scanned() -> None:
    result = scan("terraform", "broken", controls=["DDB.003"])
    assert [p.describe() for p in result.problems] == [
        f"{result.problems[0].file}:3: Invalid expression; Expected the start of an expression, "
        "but found an invalid expression token."
    ]
    assert result.problems[0].file.endswith("broken/bad.tf")
    assert status_of(result, "DDB.003", "aws_dynamodb_table.still_scanned") == "PASS"
    assert result.exit_code() == 3  # nothing failed, but the audit is incomplete


def test_broken_file_does_not_mask_failures() -> None:
    result = scan("terraform", "broken")
    assert result.exit_code() == 1


def test_broken_template_is_reported_with_its_line() -> None:
    result = scan("cloudformation", "broken.yaml")
    assert len(result.problems) == 1
    assert result.problems[0].line == 5
    assert result.exit_code() == 3


def test_broken_plan_json(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "plan.json"
    path.write_text('{"format_version": "1.2", "planned_values": {\n  "x": ]\n}', encoding="utf-8")
    from dynaguard.iac_scan import scan_iac

    result = scan_iac([path])
    assert result.problems and result.problems[0].line == 2


def test_inline_suppressions_in_hcl() -> None:
    result = scan("terraform", "suppressions")
    table = "aws_dynamodb_table.cache"
    assert status_of(result, "DDB.013", table) == "SUPPRESSED"
    assert status_of(result, "DDB.014", table) == "SUPPRESSED"
    assert status_of(result, "DDB.001", table) == "SUPPRESSED"  # a // comment inside the block
    streams = next(f for f in result.report.findings if f.control_id == "DDB.013")
    assert streams.suppression == "inline: a cache table: nothing consumes its changes"
    # no reason: rejected with a message, not applied
    assert status_of(result, "DDB.017", table) == "FAIL"
    assert len(result.problems) == 1 and result.problems[0].line == 7
    assert "has no reason" in result.problems[0].message


def test_inline_suppressions_in_yaml() -> None:
    result = scan("cloudformation", "suppressions.yaml")
    assert status_of(result, "DDB.013", "Cache") == "SUPPRESSED"
    assert status_of(result, "DDB.014", "Cache") == "FAIL"
    assert "has no reason" in result.problems[0].message
    assert str(FIXTURES.name) in str(FIXTURES)
