import csv
import io
from dataclasses import replace

import pytest

from dynaguard.formats import get_renderer
from dynaguard.formats.csv_format import safe_cell
from dynaguard.sanitize import clean

from .asff_rules import UNSAFE
from .reports import HOSTILE_TEXTS, finding, hostile_finding, iac_report, live_report

REQUIRED = [
    "control_id",
    "status",
    "severity",
    "resource_type",
    "resource_id",
    "resource_arn",
    "account_id",
    "region",
    "reason",
    "remediation",
]


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_header_and_one_row_per_finding():
    report = live_report()
    text = get_renderer("csv")(report)
    header = next(csv.reader(io.StringIO(text)))
    assert set(REQUIRED) <= set(header)
    assert "file" not in header
    data = rows(text)
    assert len(data) == len(report.findings)
    assert [r["status"] for r in data] == [f.status.value for f in report.findings]
    assert data[0]["resource_arn"].startswith("arn:aws:dynamodb:")


def test_iac_rows_carry_file_and_line_and_empty_account():
    data = rows(get_renderer("csv")(iac_report()))
    assert data[0]["file"].endswith(".tf") and data[0]["line"] == "3"
    assert data[0]["account_id"] == "" and data[0]["region"] == ""


def test_formula_injection_is_neutralised():
    text = get_renderer("csv")(live_report()) + get_renderer("csv")(iac_report())
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    data = rows(get_renderer("csv")(iac_report()))
    assert data[1]["resource_id"] == "'@SUM(A1:A9)"
    assert data[1]["reason"] == "'+deletion protection is off"


def test_safe_cell_keeps_ordinary_values():
    assert safe_cell("orders") == "orders"
    assert safe_cell(None) == ""
    assert safe_cell(12) == "12"
    assert safe_cell("-1") == "'-1"
    assert safe_cell("\t=1") == "'\t=1"


def test_iac_cli_writes_csv_and_ocsf_and_rejects_asff(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "iac" / "fixtures" / "terraform" / "fail"

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "dynaguard.cli.main", "iac", str(fixture), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    out = tmp_path / "f.csv"
    done = cli("--format", "csv", "-o", str(out))
    assert done.returncode == 1
    data = rows(out.read_text())
    assert data and all(r["file"] and r["line"] for r in data)
    assert f"wrote {out}" in done.stderr
    ocsf = cli("--format", "ocsf")
    assert ocsf.returncode == 1 and json.loads(ocsf.stdout)[0]["class_uid"] == 2003
    asff = cli("--format", "asff")
    assert asff.returncode == 2 and "asff" in asff.stderr


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_hostile_names_give_a_valid_inert_formula_safe_csv_that_keeps_them(kind):
    text = HOSTILE_TEXTS[kind]
    report = replace(live_report(), findings=(hostile_finding(text), finding()))
    out = get_renderer("csv")(report)
    out.encode("utf-8")
    assert UNSAFE.search(out) is None  # no ESC, C1, bidi, surrogate, CR: newlines only in quotes
    table = list(csv.reader(io.StringIO(out)))
    assert len(table) == 3 and {len(r) for r in table} == {len(table[0])}  # a forged row? no
    data = rows(out)
    for cell in data[0].values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    expected = clean(text)
    if expected.startswith(("=", "+", "-", "@", "\t")):
        expected = "'" + expected
    assert data[0]["resource_id"] == expected and data[0]["reason"] == expected
    assert data[1]["resource_id"] == "orders"
