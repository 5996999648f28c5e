"""Every report format, fed names an attacker controls (terminal escapes, a newline that forges
a finding line, a spreadsheet formula, markup and script, a lone surrogate, 10 kB of them):
the output is valid for its format, carries no raw control/bidi/surrogate character, and still
shows the name (escaped where the format needs it). Format-specific checks (ASFF limits, CSV
formula prefix, HTML script) are in the test file of each format."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest

from dynaguard.formats import get_renderer
from dynaguard.formats.terminal import render as render_terminal
from dynaguard.sanitize import clean_line

from .asff_rules import UNSAFE, strings_in
from .reports import HOSTILE_TEXTS, finding, hostile_finding, live_report

FORMATS = ("terminal", "json", "sarif", "junit", "csv", "html", "asff", "ocsf")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the terminal renderer's own colours


def hostile_report(text: str):
    return replace(live_report(), findings=(hostile_finding(text), finding()))


def rendered(name: str, text: str) -> str:
    if name == "terminal":
        return render_terminal(
            hostile_report(text), color=True, show_passed=True, quiet=False, width=200
        )
    return get_renderer(name)(hostile_report(text))


def parsed_strings(name: str, out: str) -> list[str]:
    if name in ("json", "sarif", "asff", "ocsf"):
        return strings_in(json.loads(out))
    if name == "junit":
        root = ET.fromstring(out.encode("utf-8"))
        return [v for e in root.iter() for v in (e.text or "", *e.attrib.values())]
    return [out]


@pytest.mark.parametrize("kind", sorted(HOSTILE_TEXTS))
@pytest.mark.parametrize("name", FORMATS)
def test_hostile_names_give_valid_inert_output_that_still_shows_them(name, kind):
    text = HOSTILE_TEXTS[kind]
    out = rendered(name, text)
    out.encode("utf-8")  # nothing a UTF-8 file or terminal cannot take
    raw = SGR.sub("", out) if name == "terminal" else out
    assert UNSAFE.search(raw.replace("\t", "")) is None  # JSON escapes them as \u001b
    strings = parsed_strings(name, out)  # valid JSON / XML
    if name == "terminal":
        forged = [ln for ln in SGR.sub("", out).splitlines() if "forged line" in ln]
        assert all(not ln.lstrip().startswith("DDB.002 PASS") for ln in forged)
    if not text.strip():
        return
    exact = name in ("json", "sarif")  # the exact value, escaped by JSON itself
    wanted = text[:40] if exact else clean_line(text)[:40]
    if name == "html":
        wanted = wanted.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        wanted = wanted.replace("'", "&#x27;").replace('"', "&quot;")
    if name in ("csv", "html", "asff", "ocsf"):
        wanted = wanted.replace("\\x0a", "\n")[:20]  # these keep newlines in text
    assert any(wanted in s for s in strings), (name, wanted)
