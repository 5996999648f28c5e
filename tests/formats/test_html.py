"""The HTML report without a browser: structure, escaping, no network, the trend."""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape
from html.parser import HTMLParser

import pytest

from dynaguard.formats import get_renderer
from dynaguard.formats.html import render
from dynaguard.sanitize import clean

from .asff_rules import UNSAFE
from .reports import HOSTILE, HOSTILE_TEXTS, finding, hostile_finding, iac_report, live_report


class Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr" and dict(attrs).get("class") == "finding":
            self.rows.append(dict(attrs))


def parse(text):
    parser = Rows()
    parser.feed(text)
    return parser


def test_one_element_per_finding_with_its_status():
    report = live_report()
    parsed = parse(render(report))
    assert [r["data-status"] for r in parsed.rows] == [f.status.value for f in report.findings]
    assert [r["data-control"] for r in parsed.rows] == [f.control_id for f in report.findings]


def test_hostile_strings_are_escaped_everywhere():
    text = render(iac_report())
    assert HOSTILE not in text  # never raw
    assert "&lt;img src=x onerror=alert(1)&gt;.tf" in text
    parsed = parse(text)
    assert not [t for t, _ in parsed.tags if t == "img"]
    assert all("onerror" not in attrs for _, attrs in parsed.tags)
    hostile = live_report().findings[6].resource_id  # =cmd|' /C calc'!A0
    assert "&#x27; /C calc&#x27;" in render(live_report()) and hostile not in render(live_report())


def test_json_block_cannot_close_its_script():
    text = render(iac_report())
    block = re.search(r'id="filter-values">(.*?)</script>', text, re.S).group(1)
    assert "<" not in block and ">" not in block


def test_self_contained_with_a_strict_content_security_policy():
    text = render(live_report())
    assert re.search(r"(src|href)=\"(https?:)?//", text) is None
    assert "@import" not in text and "url(" not in text
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert "default-src 'none'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<script nonce="{nonce}">' in text
    assert text.count("<script") == 2  # the JSON block and the report's own script


def test_header_summary_and_charts():
    report = live_report()
    text = render(report)
    for value in (report.run_id, report.started_at, "regions: us-east-1", "0.1.0"):
        assert value in text
    assert 'aria-label="findings by control"' in text
    assert 'aria-label="findings by severity"' in text
    assert "Trend" not in text


def test_trend_over_the_last_runs():
    points = [
        ("r1", "2026-01-01T00:00:00Z", {"FAIL": 9, "UNKNOWN": 1}),
        ("r2", "2026-01-02T00:00:00Z", {"FAIL": 4}),
        ("r3", "2026-01-03T00:00:00Z", {"FAIL": 2}),
    ]
    text = get_renderer("html", trend=points)(live_report())
    assert "Trend over the last 3 runs" in text
    assert text.count("<polyline") == 2


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
def test_hostile_names_cannot_script_the_page_and_stay_readable(kind):
    text = HOSTILE_TEXTS[kind]
    page = render(replace(live_report(), findings=(hostile_finding(text), finding())))
    page.encode("utf-8")
    assert UNSAFE.search(page.replace("\t", "")) is None  # HTML5 allows no C0 control in text
    parsed = parse(page)
    assert [t for t, _ in parsed.tags].count("script") == SCRIPTS  # only the page's own
    assert not [t for t, _ in parsed.tags if t == "img"]
    assert all(not k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert escape(clean(text), quote=True)[:300] in page  # shown, escaped


SCRIPTS = [t for t, _ in parse(render(live_report())).tags].count("script")
