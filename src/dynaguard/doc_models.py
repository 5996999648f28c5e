"""Validate a :class:`~dynaguard.yaml_lines.Document` against a pydantic model and report every
problem at once, each with its file, line and key, in dynaguard's words.

Imported only when a file is actually validated (pydantic costs ~0.1 s to import; ``dynaguard
--help`` must not pay it). The models (``config_model``, ``provisioning/schema_model``) derive
from :class:`StrictModel`: unknown keys are refused (with "did you mean"), types are exact (a
YAML ``"5"`` is not a number, ``true`` is not an integer).

All at once, including what depends on a valid part: when validation fails, the values it
refused are pruned from a copy of the data and the rest is validated again, so a document with a
bad ``stream.view_type`` still gets its other fields checked and its cross-field rules run on
what is valid. Problems found under a pruned value are consequences and are not repeated.
"""

from __future__ import annotations

import copy
import difflib
import types
import typing
from typing import Any, TypeVar, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from dynaguard.model import aws_rules
from dynaguard.sanitize import short_repr
from dynaguard.yaml_lines import DocPath, Document, Problem

M = TypeVar("M", bound=BaseModel)
MAX_ROUNDS = 25


class StrictModel(BaseModel):
    """A mapping in a user's file: exact types, no unknown keys, immutable once read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _int_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Text = typing.Annotated[str, BeforeValidator(_int_as_text)]
"""A string that may be written as a YAML integer (``owner: 1234``, ``[444455556666]``)."""


def validate(
    model: type[M], doc: Document, noun: str = "key"
) -> tuple[M | None, list[Problem], set[DocPath]]:
    """``doc`` as ``model``: (the model or None, every problem, the paths that were pruned).

    The model is None only when nothing useful is left after pruning (the document itself is
    of the wrong shape); otherwise it holds every valid part, and the problems name the rest.
    ``noun`` is what an unknown key is called in the messages ("key", "field").
    """
    data = doc.data
    problems: list[Problem] = []
    pruned: set[DocPath] = set()
    for attempt in range(MAX_ROUNDS):
        try:
            model_ = model.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
        else:
            return model_, _in_order(problems), pruned
        if attempt == 0:
            data = copy.deepcopy(data)  # bounded: the reader capped the number of values
        paths = [tuple(p for p in error["loc"] if p != "[key]") for error in errors]
        for error, path in zip(errors, paths, strict=True):
            if attempt == 0 or not _related(path, pruned):
                problems.append(_problem(model, doc, error, path, noun))
        this_round: set[DocPath] = set()
        for path in paths:
            if any(path[: len(p)] == p for p in this_round):
                continue  # already removed with an ancestor
            target = _prune(data, path, pruned)
            if target is None:
                return None, _in_order(problems), pruned
            this_round.add(target)
    return None, _in_order(problems), pruned


def _in_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def _related(path: DocPath, pruned: set[DocPath]) -> bool:
    return any(path[: len(p)] == p or p[: len(path)] == path for p in pruned)


def under(path: DocPath, pruned: set[DocPath]) -> bool:
    """Whether ``path`` is, or is inside, a value the model refused (and was pruned)."""
    return any(path[: len(p)] == p for p in pruned)


def _prune(data: Any, path: DocPath, pruned: set[DocPath]) -> DocPath | None:
    """Remove the value at ``path`` (or its nearest existing ancestor) from ``data``; a list
    item becomes ``{}`` so the positions of its siblings, and their line numbers, hold. A value
    pruned before that still fails takes its parent with it. The path removed, or None when
    only the document itself is left to remove."""
    target = _existing_prefix(data, path)
    while target in pruned and target:
        target = target[:-1]
    if not target:
        return None
    pruned.add(target)
    parent = _get(data, target[:-1])
    key = target[-1]
    if isinstance(parent, dict):
        parent.pop(key, None)
    elif isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
        parent[key] = {}
    return target


def _existing_prefix(data: Any, path: DocPath) -> DocPath:
    node = data
    for i, part in enumerate(path):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return path[:i] if i else ()
    return path


def _get(data: Any, path: DocPath) -> Any:
    for part in path:
        data = data[part]
    return data


# --- messages --------------------------------------------------------------------------------

_EXPECTED = {
    "int_type": "int",
    "bool_type": "bool",
    "string_type": "str",
    "float_type": "a number",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
    "date_type": "a date (YYYY-MM-DD)",
}


def _problem(
    model: type[BaseModel], doc: Document, error: Any, path: DocPath, noun: str
) -> Problem:
    kind = error["type"]
    value = error.get("input")
    line = doc.line_of(path)
    if kind == "missing":
        return Problem(path[:-1], f"missing '{short_repr(path[-1], 40, False)}'", line)
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, path[:-1])
        hint = did_you_mean(path[-1], allowed)
        return Problem(path, f"unknown {noun}{hint}{_list(allowed)}", line)
    if kind in _EXPECTED:
        return Problem(path, f"expected {_EXPECTED[kind]}, got {describe(value)}", line)
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        hint = did_you_mean(value, _literal_choices(expected))
        lead = "must be one of" if "," in expected else "must be"
        return Problem(path, f"{lead} {expected}, got {short_repr(value, 60)}{hint}", line)
    if kind == "value_error":
        return Problem(path, str(error.get("ctx", {}).get("error", error["msg"])), line)
    if kind == "too_short":
        return Problem(path, "needs at least one item", line)
    return Problem(path, short_repr(str(error["msg"]), 160, quote=False), line)


def describe(value: Any) -> str:
    """What a wrong value is, in a few words, bounded: ``a string ('ten')``, ``a list``."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, int | float):
        return f"a number ({short_repr(value, 40)})"
    if isinstance(value, str):
        return f"a string ({short_repr(value, 40)})"
    return type(value).__name__


def did_you_mean(word: Any, choices: typing.Iterable[str]) -> str:
    if not isinstance(word, str):
        return ""
    match = difflib.get_close_matches(word[:200], list(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _list(allowed: tuple[str, ...]) -> str:
    return f"; allowed: {', '.join(allowed)}" if allowed else ""


def _literal_choices(expected: str) -> list[str]:
    return [part.strip(" '") for part in expected.replace(" or ", ",").split(",")]


def allowed_keys(model: type[BaseModel], path: DocPath) -> tuple[str, ...]:
    """The field names of the model found at ``path`` in ``model`` (for "did you mean")."""
    kind: Any = model
    for part in path:
        kind = _unwrap(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            field = kind.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return ()
            kind = field.annotation
        elif get_origin(kind) in (list, tuple, dict):
            kind = get_args(kind)[-1 if get_origin(kind) is dict else 0]
        else:
            return ()
    kind = _unwrap(kind)
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return tuple(kind.model_fields)
    return ()


def _unwrap(kind: Any) -> Any:
    while True:
        origin = get_origin(kind)
        if origin is typing.Annotated:
            kind = get_args(kind)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in get_args(kind) if a is not type(None)]
            kind = members[0] if len(members) == 1 else kind
            if len(members) != 1:
                return kind
        else:
            return kind


def bounded(low: float, high: float | None, why: str = "") -> AfterValidator:
    """A number from ``low`` to ``high`` (None: no upper bound), refused with its bounds."""

    def judge(value: Any) -> Any:
        if high is None:
            check(value >= low, f"must be at least {low:g}, got {short_repr(value)}")
        else:
            check(
                low <= value <= high,
                f"must be {low:g} to {high:g}{why}, got {short_repr(value)}",
            )
        return value

    return AfterValidator(judge)


def check(condition: bool, message: str) -> None:
    """Raise the ValueError pydantic turns into a problem at the field being validated."""
    if not condition:
        raise ValueError(message)


def check_region_key(region: object) -> str:
    """A key of a per-region mapping (``kms_key``, ``prices``): a region name or ``*``."""
    check(
        isinstance(region, str) and bool(aws_rules.REGION_OR_ANY.match(region)),
        f"{short_repr(region)}: not a region name (or '*')",
    )
    return str(region)
