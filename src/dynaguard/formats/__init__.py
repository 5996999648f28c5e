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
    raise ValueError(f"unknown format {name!r}")


FORMATS = ("terminal", "json")
