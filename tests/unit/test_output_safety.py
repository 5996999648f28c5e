"""Strings from files and AWS cannot drive the terminal or break a report: no raw ESC, OSC 8,
C1 or bidi characters reach the terminal (colour on or off), rich markup in a value stays
text, JUnit XML stays well-formed, JSON and SARIF stay valid and keep the data."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest
from rich.table import Table as RichTable
from tests.formats.asff_rules import strings_in

from dynaguard.cli.main import run
from dynaguard.cli.undo import _preview
from dynaguard.formats import get_renderer
from dynaguard.model import Severity, Status
from dynaguard.report import Finding, Report
from dynaguard.sanitize import clean, clean_line, json_safe, safe_console, short_repr
from dynaguard.spool import FindingSpool

HOSTILE = (
    "a\x1b[2J\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\"  # clear screen, OSC 8
    "\x9b31m\x07\x08\r\u202eevil\u2066\ud800\ufffe"  # C1 CSI, BEL, BS, CR, bidi, surrogate
    "[bold red]markup[/] :smile: \n second line"
)
# what rich itself writes with colour on: SGR sequences only
OWN_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def hostile_report() -> Report:
    def finding(status: Status) -> Finding:
        return Finding(
            control_id="DDB.002",
            title="Table has point-in-time recovery",
            status=status,
            severity=Severity.MEDIUM,
            resource_type="table",
            resource_id=f"orders{HOSTILE}",
            account_id=f"1111{HOSTILE}",
            region="us-east-1",
            reason=f"reason {HOSTILE}",
            remediation=f"fix {HOSTILE}",
            resource_arn=f"arn:{HOSTILE}",
            file=f"main{HOSTILE}.tf",
            line=3,
            evidence=HOSTILE,
            suppression=f"because {HOSTILE}" if status is Status.SUPPRESSED else None,
        )

    return Report(
        run_id="run-1",
        source="terraform",
        findings=tuple(finding(s) for s in Status),
        controls=("DDB.002",),
        notices=(f"notice {HOSTILE}",),
        config_path=f"cfg{HOSTILE}.yaml",
    )


def assert_inert(text: str) -> None:
    leftover = OWN_ESCAPES.sub("", text)
    assert RAW.search(leftover.replace("\n", "").replace("\t", "")) is None, repr(
        RAW.search(leftover.replace("\n", "").replace("\t", ""))
    )
    assert "]8;;https" not in OWN_ESCAPES.sub("", text).replace("\\x1b]8;;https", "")


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("quiet", [False, True])
def test_terminal_report_is_inert(color: bool, quiet: bool) -> None:
    from dynaguard.formats.terminal import render

    text = render(hostile_report(), color=color, show_passed=True, quiet=quiet, width=1000)
    assert_inert(text)
    assert "[bold red]markup[/]" in text  # markup shown as written, not applied
    assert ":smile:" in text
    assert "\\x1b]8;;https://evil.example" in text  # the evidence stays readable
    text.encode("utf-8")  # nothing a UTF-8 terminal cannot take


def test_junit_is_well_formed_with_any_input() -> None:
    xml = get_renderer("junit")(hostile_report())
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    assert_inert(xml)
    messages = [e.get("message", "") for e in root.iter() if e.get("message")]
    assert any("[bold red]markup[/]" in m for m in messages)


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_json_and_sarif_are_valid_inert_and_keep_the_data(name: str) -> None:
    out = get_renderer(name)(hostile_report())
    out.encode("utf-8")
    assert RAW.search(out.replace("\n", "")) is None
    data = json.loads(out)
    text = json.dumps(data)
    assert "\\u001b]8;;https://evil.example" in text  # the value itself is unchanged
    if name == "json":
        assert data["findings"][0]["reason"] == f"reason {HOSTILE}"


def test_json_safe_round_trips() -> None:
    value = {"k": HOSTILE, HOSTILE: [HOSTILE]}
    dumped = json.dumps(value, ensure_ascii=False)
    assert json.loads(json_safe(dumped)) == value
    assert RAW.search(json_safe(dumped)) is None


def test_clean_and_short_repr() -> None:
    assert clean("a\x1bb\nc") == "a\\x1bb\nc"
    assert clean_line("a\x1bb\nc") == "a\\x1bb\\x0ac"
    assert clean("\u202e\ud800\x9b") == "\\u202e\\ud800\\x9b"
    long = short_repr("x" * 10_000)
    assert len(long) < 120 and "(10000 chars)" in long
    assert short_repr([list(range(1000))] * 1000).count(",") < 40
    assert RAW.search(short_repr(HOSTILE)) is None


def test_safe_console_never_parses_markup_or_passes_controls() -> None:
    buf = io.StringIO()
    console = safe_console(file=buf, force_terminal=True, width=300, highlight=False)
    console.print(HOSTILE)
    table = RichTable()
    table.add_column("cell")
    table.add_row(HOSTILE)
    console.print(table)
    out = buf.getvalue()
    assert_inert(out)
    assert out.count("[bold red]markup[/]") == 2


def test_cli_error_line_is_inert(tmp_path, capsys) -> None:
    config = tmp_path / "c.yaml"
    config.write_text('baseline:\n  "\\e]8;;http://evil\\e\\\\x\\u202e": 1\n')
    assert run(["scan", "--config", str(config), "--region", "us-east-1"]) == 2
    err = capsys.readouterr().err
    assert_inert(err)
    assert "\\x1b]8;;http://evil" in err


@pytest.mark.parametrize("name", ["asff", "ocsf"])
def test_asff_and_ocsf_are_valid_utf8_json_with_the_data_shown_escaped(name: str) -> None:
    findings = tuple(replace(f, account_id="111122223333") for f in hostile_report().findings)
    report = replace(hostile_report(), source="aws", findings=findings)
    out = get_renderer(name)(report)
    out.encode("utf-8")  # a lone surrogate written raw would raise here (and on write)
    assert RAW.search(out.replace("\n", "")) is None
    values = strings_in(json.loads(out))
    assert all(RAW.search(v.replace("\n", "")) is None for v in values)  # inert values too
    assert any(clean(f"reason {HOSTILE}") in v for v in values)  # all of it, shown escaped


def test_csv_is_valid_utf8_inert_and_formula_safe() -> None:
    out = get_renderer("csv")(hostile_report())
    out.encode("utf-8")
    assert_inert(out)
    rows = list(csv.reader(io.StringIO(out)))
    assert all(len(row) == len(rows[0]) for row in rows)
    evil = replace(hostile_report().findings[0], resource_id="\x1b=HYPERLINK(1)", reason="=1+1")
    row = list(
        csv.reader(io.StringIO(get_renderer("csv")(replace(hostile_report(), findings=(evil,)))))
    )[1]
    assert "\\x1b=HYPERLINK(1)" in row and "'=1+1" in row


def test_html_is_valid_utf8_and_keeps_no_control_characters() -> None:
    out = get_renderer("html")(hostile_report())
    out.encode("utf-8")
    assert RAW.search(out.replace("\n", "").replace("\t", "")) is None


def test_spooled_findings_survive_lone_surrogates() -> None:
    spool = FindingSpool()
    try:
        spool.add("1111", hostile_report().findings)
        spool.finish()
        lines = list(spool.lines())
        assert all(RAW.search(line) is None for line in lines)
        assert [f.reason for f in spool.findings()] == [f"reason {HOSTILE}"] * len(lines)
    finally:
        spool.close()


def test_undo_preview_is_inert() -> None:
    step = SimpleNamespace(describe=lambda: f"dynamodb:UpdateTable TableName={HOSTILE}")
    change = SimpleNamespace(
        change_id="c1",
        control_id="DDB.003",
        resource=SimpleNamespace(label=lambda: f"table {HOSTILE} (us-east-1)"),
        current=HOSTILE,
        target="on",
        steps=[step],
    )
    plan = SimpleNamespace(
        changes=[change], weakening=set(), not_undone=[HOSTILE], already_undone=[HOSTILE]
    )
    out = io.StringIO()
    _preview(plan, out)
    assert_inert(out.getvalue().replace("\n", ""))
    assert out.getvalue().count("\n") == 4  # one line each: no newline smuggled in


def test_history_and_diff_outputs_are_inert(tmp_path, capsys) -> None:
    from dynaguard.history import open_history

    first = replace(hostile_report(), run_id="run-1", scope={"tables": [HOSTILE]})
    worse = tuple(replace(f, status=Status.FAIL, reason=f"now {HOSTILE}") for f in first.findings)
    second = replace(first, run_id="run-2", findings=worse)
    with open_history(tmp_path) as store:
        store.record_run(first, command="iac")
        store.record_run(second, command="iac")
    assert run(["history", "--state-dir", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert_inert(listing.replace("\n", ""))
    assert listing.count("\n") == 2 and "\\x1b]8;;https://evil.example" in listing
    assert run(["diff", "--state-dir", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert_inert(text.replace("\n", ""))
    assert "now a\\x1b[2J" in text
    assert run(["diff", "--format", "json", "--state-dir", str(tmp_path)]) == 0
    raw = capsys.readouterr().out
    raw.encode("utf-8")
    assert RAW.search(raw.replace("\n", "")) is None
    diff = json.loads(raw)
    shown = [f for part in ("new", "resolved") for f in diff[part]]
    shown += [c["after"] for c in diff["changed"]]
    assert any(f["reason"] == f"now {HOSTILE}" for f in shown)  # the exact value, stored too


def test_runs_listing_of_a_doctored_journal_is_inert(tmp_path, capsys) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    event = {"event": "run", "time": HOSTILE, "run_id": "r1", "kind": HOSTILE, "of_run": HOSTILE}
    lines = [json.dumps(event), "\x1b]8;;https://evil.example\x1b\\ not json"]
    (folder / f"r1{HOSTILE[:12]}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = run(["runs", "--state-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code in (0, 3)
    for stream in (captured.out, captured.err):
        assert_inert(stream.replace("\n", ""))
    assert captured.out.count("\n") <= 2  # a header and one run: no forged line
    assert "\\x1b[2J" in captured.out  # shown, escaped


def test_provision_plan_and_drill_text_keep_one_line_per_item() -> None:
    from dynaguard.config import Config
    from dynaguard.controls.registry import all_controls
    from dynaguard.drill.render import render_result
    from dynaguard.drill.run import DrillResult
    from dynaguard.drill.verify import Check
    from dynaguard.provisioning import SpecDefaults, load_spec
    from dynaguard.provisioning.plan import offline_plan, render_plan

    spec = load_spec(
        preset="sessions", defaults=SpecDefaults(region="eu-west-1", table_name="sessions-prod")
    )
    plan = offline_plan(spec, all_controls(), Config(), "run")
    findings = tuple(replace(f, reason=HOSTILE) for f in plan.preflight.findings)
    plan = replace(plan, preflight=replace(plan.preflight, findings=findings))
    text = render_plan(plan)
    assert_inert(text.replace("\n", ""))
    assert not any(line.startswith(" second line") for line in text.splitlines())
    assert text.count("\\x1b]8;;https://evil.example") == len(findings)

    result = DrillResult(
        run_id="run-1",
        table="orders",
        region="us-east-1",
        scratch_table="orders-drill",
        outcome="failed",
        checks=(Check("item count", "FAIL", HOSTILE),),
        error=HOSTILE,
        left_behind=(HOSTILE,),
    )
    text = render_result(result)
    assert_inert(text.replace("\n", ""))
    assert not any(line.startswith(" second line") for line in text.splitlines())
    assert text.count("[bold red]markup[/]") == 3
