"""Output formats: each is ``render(report, **options) -> str``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence

from dynaguard.report import Report

Renderer = Callable[[Report], str]

# format name -> module under dynaguard.formats with a ``render(report)``
_MODULES = {
    "json": "json_format",
    "sarif": "sarif",
    "junit": "junit",
    "csv": "csv_format",
    "asff": "asff",
    "ocsf": "ocsf",
    "html": "html",
}
# The lists offered by each command live in dynaguard.cli.main (SCAN_FORMATS, IAC_FORMATS):
# ASFF needs the AWS account of each finding, which infrastructure code does not name.


def get_renderer(
    name: str,
    *,
    color: bool = False,
    show_passed: bool = False,
    quiet: bool = False,
    trend: Sequence[tuple[str, str, Mapping[str, int]]] = (),
) -> Renderer:
    """``trend`` (html): earlier runs of the same scope, oldest first, from the history."""
    if name == "terminal":
        from dynaguard.formats.terminal import render as render_terminal

        return lambda report: render_terminal(
            report, color=color, show_passed=show_passed, quiet=quiet
        )
    if name == "html":
        from dynaguard.formats.html import render as render_html

        return lambda report: render_html(report, trend)
    if name not in _MODULES:
        raise ValueError(f"unknown format {name!r}")
    module = importlib.import_module(f"dynaguard.formats.{_MODULES[name]}")
    render: Renderer = module.render
    return render
