"""Load a template with cfn-lint's decoder (YAML with short tags, or JSON; line numbers kept)
into ``Block`` values: one per resource, Properties resolved by ``Resolver``.

A resource whose ``Condition`` is false is not created and is left out; one whose condition
cannot be decided is kept (judged as if created: the conservative reading).
"""

from __future__ import annotations

import copyreg
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from dynaguard.model import Origin, Unknown
from dynaguard.sources.cloudformation.resolve import Resolver
from dynaguard.sources.cloudformation.schema import MAX_DEPTH, check_template
from dynaguard.sources.iac.blocks import Block
from dynaguard.sources.iac.comments import Comments
from dynaguard.sources.iac.files import (
    EncodingProblem,
    IacLimits,
    UnsafeFile,
    decode_utf8,
    read_capped,
)
from dynaguard.sources.iac.jsontext import deep_line, line_at
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.iac.suppressions import inline_suppressions, template_comments

_POSITION = re.compile(r"position (\d+)")


@dataclass(slots=True)
class LoadedTemplate:
    path: Path
    shown: str
    data: Mapping[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


def load_template(path: Path, text: str | None = None) -> LoadedTemplate:
    """Decode a template's text (read safely from ``path`` when not given: a nested stack's
    template may be anything), then check its shape (``schema``): what CloudFormation would
    reject is a problem with its line, and what cannot be read is left out or Unknown."""
    # imported only when a template is scanned (a slow import)
    from cfnlint.decode import decode_str

    _pickle_nodes_as_plain_values()

    loaded = LoadedTemplate(path, display_path(path))
    if text is None:
        try:
            text = decode_utf8(read_capped(path, IacLimits().max_file_bytes))
        except (UnsafeFile, EncodingProblem) as exc:
            line = exc.line if isinstance(exc, EncodingProblem) else None
            reason = exc.message if isinstance(exc, EncodingProblem) else exc.reason
            loaded.problems.append(InputProblem(loaded.shown, line, f"{reason}: not scanned"))
            return loaded
    template, matches = decode_str(text)
    if template is None or matches:
        match = matches[0] if matches else None
        line, message = _decode_error(match, text)
        if "recursion" in message:
            line = deep_line(text, MAX_DEPTH) or line
            message = f"nested deeper than {MAX_DEPTH} levels"
        loaded.problems.append(
            InputProblem(loaded.shown, line, f"cannot parse template: {message}")
        )
        return loaded
    usable, problems = check_template(template, loaded.shown)
    loaded.problems += problems
    if usable:
        loaded.data = template
        loaded.lines = text.splitlines()
    return loaded


def _decode_error(match: Any, text: str) -> tuple[int | None, str]:
    """(line, first line of the message) of cfn-lint's decoding error; a reader error gives a
    character position rather than a line."""
    full = str(getattr(match, "message", "")) or "not YAML or JSON"
    line = getattr(match, "linenumber", None) or None
    position = _POSITION.search(full)
    if position and (line is None or line == 1):
        line = line_at(text, int(position.group(1)))
    message = full.splitlines()[0].removeprefix("Template could not be parsed: ")
    return line, message


@cache
def _pickle_nodes_as_plain_values() -> None:
    """cfn-lint's nodes (``str``/``dict``/``list`` with line marks) end up in model values;
    they cannot be unpickled, and results leave the worker process pickled: let them travel as
    the plain values they are."""
    from cfnlint.decode.node import dict_node, list_node, str_node

    copyreg.pickle(str_node, lambda node: (str, (str(node),)))
    copyreg.pickle(dict_node, lambda node: (dict, (dict(node),)))
    copyreg.pickle(list_node, lambda node: (list, (list(node),)))


def _line(node: Any, fallback: int = 1) -> tuple[int, int]:
    start, end = getattr(node, "start_mark", None), getattr(node, "end_mark", None)
    if start is None:
        return fallback, fallback
    return start.line + 1, (end.line + 1 if end is not None else start.line + 1)


def resource_blocks(loaded: LoadedTemplate, resolver: Resolver) -> list[Block]:
    """One block per resource created. A resource whose values the resolver cannot handle is
    one problem at its line and is left out: the other resources are still scanned."""
    blocks = []
    comments = template_comments(loaded.lines)
    resources = loaded.data.get("Resources") or {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping):
            continue
        try:
            block = _block(loaded, resolver, logical_id, resource, comments)
        except (RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            loaded.problems.append(
                InputProblem(
                    loaded.shown,
                    _line(logical_id)[0],
                    f"resource {logical_id} cannot be resolved ({type(exc).__name__}): "
                    "it is not scanned",
                )
            )
            continue
        if block is not None:
            blocks.append(block)
    return blocks


def _block(
    loaded: LoadedTemplate,
    resolver: Resolver,
    logical_id: Any,
    resource: Mapping[str, Any],
    comments: Comments,
) -> Block | None:
    condition = resource.get("Condition")
    if isinstance(condition, str) and resolver.condition(condition) is False:
        return None
    key_line, _ = _line(logical_id)
    _, last = _line(resource, key_line)
    origin = Origin(loaded.shown, key_line)
    found = inline_suppressions(comments, loaded.shown, key_line, last)
    loaded.problems.extend(found.rejected)
    props = resolver.value(resource.get("Properties") or {})
    attrs = (
        props if isinstance(props, Mapping) else {"Properties": Unknown("Properties unresolved")}
    )
    return Block(
        str(resource.get("Type", "")), str(logical_id), origin, attrs, "resource", found.accepted
    )
