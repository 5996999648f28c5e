from dataclasses import replace

from dynaguard.formats.terminal import plural, render

from .reports import finding, live_report


def test_plurals():
    assert plural(1, "resource") == "1 resource"
    assert plural(2, "control") == "2 controls"
    assert plural(0, "policy", "policies") == "0 policies"


def test_summary_by_severity_and_control_and_singular_line():
    one = replace(live_report(), findings=(finding(),), controls=("DDB.002",))
    text = render(one)
    assert "1 resource" in text and "1 control: 1 failed" in text and "1 resources" not in text
    full = render(live_report())
    assert "by severity" in full and "by control" in full
    control_rows = [line for line in full.splitlines() if line.strip().startswith("DDB.0")]
    assert len(control_rows) == len({f.control_id for f in live_report().findings})


def test_quiet_prints_only_failing_findings_and_the_summary():
    report = live_report()
    text = render(report, quiet=True)
    lines = [line for line in text.splitlines() if line]
    fails = [f for f in report.findings if f.status.value == "FAIL"]
    assert len(lines) == len(fails) + 1
    assert all(line.startswith("FAIL") for line in lines[:-1])
    assert "by control" not in text and "PASS" not in text.split("\n")[0]


def test_quiet_keeps_the_notices():
    """QA F10: a half-merged report or an expired suppression is said even with --quiet."""
    notices = (
        "incomplete: shard(s) 0/2 missing; 1 of 2 merged",
        "suppression of DDB.001 for orders expired on 2026-01-01",
    )
    text = render(replace(live_report(), notices=notices), quiet=True)
    for notice in notices:
        assert f"note: {notice}" in text
    plain = render(live_report(), quiet=True)
    assert text.rstrip().splitlines()[-1] == plain.rstrip().splitlines()[-1]  # summary last
    assert "note:" not in plain


def test_severity_is_coloured():
    text = render(live_report(), color=True)
    assert "\x1b[" in text


def test_quiet_lines_escape_terminal_controls():
    hostile = finding(resource_id="t\x1b]8;;http://x\x07click\x1b]8;;\x07", reason="a\u202eb")
    text = render(replace(live_report(), findings=(hostile,)), quiet=True)
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b" in text and "\\u202e" in text
