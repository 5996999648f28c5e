"""Recorded AWS answers with a few values broken, for the fuzz suite of the AWS readers.

Answers are keyed by (service, operation, parameters as JSON): a call's body, a paginated
read's list of pages, or the ReadError it failed with (left as it is). ``broken`` draws 1-3
mutations of one of three modes:

- ``any``: a field deleted, or any value (the whole body included) set to any JSON value;
- ``retyped``: a value replaced by one of another JSON type, which no AWS answer would be;
- ``deleted``: a field of an object deleted (a list keeps its items).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from hypothesis import strategies as st

from dynaguard.sources.aws.failures import ReadError

Key = tuple[str, str, str]
Mode = Literal["any", "retyped", "deleted"]


def key_of(service: str, operation: str, params: Mapping[str, Any]) -> Key:
    return service, operation, json.dumps(params, sort_keys=True, default=str)


def paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``node`` (keys and list indexes), depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "ResponseMetadata":
                yield (*path, key)
                yield from paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*path, i)
            yield from paths(value, (*path, i))


JSON = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


# A value of each JSON kind. A retyped value is drawn from the other kinds: never with
# ``JSON.filter(lambda v, k=kind: ...)``, which hypothesis may answer from a filtered strategy
# it cached for the same lambda with another ``k`` (a bool "retyped" to a bool).
KINDS = {
    "bool": st.booleans(),
    "number": st.one_of(st.integers(), st.floats(allow_nan=False)),
    "str": st.text(max_size=8),
    "list": st.lists(JSON, max_size=3),
    "dict": st.dictionaries(st.text(max_size=5), JSON, max_size=3),
}


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    for kind in (str, dict, list):
        if isinstance(value, kind):
            return kind.__name__
    return "other" if value is not None else "null"


def single_breaks(recorded: Mapping[Key, Any]) -> Iterator[tuple[str, dict[Key, Any]]]:
    """``recorded`` with one value broken, for every value: each field of an object deleted,
    each value retyped (a string to a number, anything else to a string)."""
    for key, answer in recorded.items():
        for path in paths(answer):
            for mode in ("deleted", "retyped"):
                answers = dict(recorded)
                answers[key] = copy.deepcopy(answer)
                parent = answers[key]
                for part in path[:-1]:
                    parent = parent[part]
                if mode == "deleted" and isinstance(parent, dict):
                    del parent[path[-1]]
                elif mode == "retyped":
                    parent[path[-1]] = 7 if isinstance(parent[path[-1]], str) else "x"
                else:
                    continue
                yield f"{key[1]} {mode} at {path}", answers


def _nested(key: Key, path: tuple[Any, ...], earlier: tuple[Key, tuple[Any, ...]]) -> bool:
    """Whether ``path`` of ``key`` is, holds, or is inside the ``earlier`` mutated path."""
    other_key, other = earlier
    n = min(len(path), len(other))
    return key == other_key and path[:n] == other[:n]


@st.composite
def broken(draw: st.DrawFn, recorded: Mapping[Key, Any], mode: Mode) -> dict[Key, Any]:
    """``recorded`` with 1-3 values broken the ``mode`` way."""
    answers = {k: v if isinstance(v, ReadError) else copy.deepcopy(v) for k, v in recorded.items()}
    retyped: list[tuple[Key, tuple[Any, ...]]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        key = draw(
            st.sampled_from(sorted(k for k, v in answers.items() if not isinstance(v, ReadError)))
        )
        found = list(paths(answers[key]))
        if not found:
            continue
        path = draw(st.sampled_from(found))
        parent = answers[key]
        for part in path[:-1]:
            parent = parent[part]
        old = parent[path[-1]]
        if mode == "retyped":
            if _kind(old) in ("other", "null") or any(_nested(key, path, t) for t in retyped):
                continue  # retyping a retyped value again could give it back its own type
            retyped.append((key, path))
            others = [strategy for kind, strategy in KINDS.items() if kind != _kind(old)]
            parent[path[-1]] = draw(st.one_of(others))
        elif mode == "deleted":
            if isinstance(parent, dict):
                del parent[path[-1]]
        elif draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return answers
