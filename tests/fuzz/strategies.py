"""Shared hypothesis pieces for the fuzz suite: seeded, bounded, no example database (the same
examples on every machine and every run, so CI is reproducible and fast)."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# DYNAGUARD_FUZZ_EXAMPLES raises the count for a long local run (CI keeps the default).
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("DYNAGUARD_FUZZ_EXAMPLES", "150")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# What must never reach a terminal raw (see dynaguard.sanitize).
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)
NASTY_TEXT = st.sampled_from(
    ["", " ", "\x1b[31m", "\x1b]8;;http://x\x1b\\", "\u202e", "\x9b", "é", "a" * 300, "[b]x[/b]"]
)


def scalars(vocabulary: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        NASTY_TEXT,
        st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
        st.sampled_from(vocabulary),
    )


def documents(keys: list[str], values: list[str]) -> st.SearchStrategy[Any]:
    """Nested mappings and lists whose keys are mostly the real ones (so validation goes deep)
    and whose leaves are of every type, valid values included."""
    key = st.one_of(st.sampled_from(keys), st.sampled_from(keys), st.text(max_size=10))
    return st.recursive(
        scalars(values),
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(key, children, max_size=6)
        ),
        max_leaves=30,
    )


@st.composite
def byte_mutations(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few bytes inserted, deleted or replaced (YAML's structure breaks in
    every way a careless or hostile edit breaks it)."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        position = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(
            st.one_of(
                st.binary(min_size=1, max_size=4),
                st.text(
                    st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=6
                ).map(str.encode),
                st.sampled_from([b"&a ", b"*a", b"<<: ", b"!!set ", b"[", b"{", b": ", b"\n  -"]),
                st.sampled_from([b"9" * 5000, b"2027-02-30", b"0x1F", b"1e999", b"~", b"'", b'"']),
            )
        )
        if kind == "insert":
            data[position:position] = chunk
        elif kind == "delete":
            del data[position : position + len(chunk)]
        else:
            data[position : position + len(chunk)] = chunk
    return bytes(data)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*path, i))
    return out


@st.composite
def tree_mutations(draw: st.DrawFn, seed: Any, replacement: st.SearchStrategy[Any]) -> Any:
    """``seed`` (parsed data) with a few values replaced by ``replacement``, deleted, or given
    an extra key: near-valid documents, so validation reaches every field."""
    import copy

    data = copy.deepcopy(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(replacement)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.text(max_size=8))] = draw(replacement)
    return data
