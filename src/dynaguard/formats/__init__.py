"""Output formats: each is ``render(report, **options) -> str``."""

from __future__ import annotations

from collections.abc import Callable

from dynaguard.report import Report

Renderer = Callable[[Report], str]


def get_renderer(name: str, *, color: bool = False, show_passed: bool = False) -> Renderer:
    if name == "json":
        from dynaguard.formats.json_format import render as render_json

        return render_json
    if name == "terminal":
        from dynaguard.formats.terminal import render as render_terminal

        return lambda report: render_terminal(report, color=color, show_passed=show_passed)
    if name == "sarif":
        from dynaguard.formats.sarif import render as render_sarif

        return render_sarif
    if name == "junit":
        from dynaguard.formats.junit import render as render_junit

        return render_junit
    raise ValueError(f"unknown format {name!r}")


# Formats for infrastructure code, where findings point at file:line (code scanning, CI).
IAC_FORMATS = ("terminal", "json", "sarif", "junit")
