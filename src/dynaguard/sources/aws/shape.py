"""A typed reader over AWS response bodies: each access says what it expects, and a body that
does not hold it raises one error, :class:`MalformedResponse`, a :class:`ReadError` that the
collector boundary (``RegionReader.fact``) turns into UNKNOWN for what the read feeds.

A 200 response can still be wrong: a proxy that rewrites bodies, an emulator, an API change, a
truncated answer. Defaulting a missing field would turn it into a value (an empty
DescribeTimeToLive body read as "TTL disabled" is a FAIL that AWS never said), and indexing it
would be a traceback. Fields AWS leaves out on purpose (no ``SSEDescription`` means the AWS
owned key) are read with the ``opt_`` accessors and their default is applied by the collector;
everything else is required, with its type.

    body = reader.read("dynamodb", "DescribeTimeToLive", TableName=name)
    ttl = body.child("TimeToLiveDescription")
    Ttl(status=ttl.text("TimeToLiveStatus"), attribute=ttl.opt_text("AttributeName"))

Reads made outside a ``RegionReader`` (the caller's identity, assumed roles, the region and
account lists: no breaker, no Unknown, a failure ends the run) go through :func:`call_body` and
:func:`page_bodies`, which type their bodies the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from dynaguard.model import Fact, Known, Origin, Unknown
from dynaguard.sanitize import short_repr
from dynaguard.sources.aws.failures import FailureKind, ReadError

_MISSING = object()
T = TypeVar("T")
MAX_PAGES = 10_000  # a server that never stops handing out next tokens is not AWS
# What botocore's parsers raise on a body they cannot read: ResponseParserError (not a
# BotoCoreError) for broken XML/JSON/CBOR, plain TypeErrors for the wrong shape ('int' object is
# not iterable), and so on; RecursionError for a body nested too deep, MemoryError for a CBOR
# body that declares a string of a terabyte (9 bytes suffice: the parser reads that length).
PARSE_FAILURES = (
    ResponseParserError,
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    ValueError,
    RecursionError,
    MemoryError,
)


class MalformedResponse(ReadError):
    """AWS answered, but the body lacks a field it always sends, or has it with the wrong type."""

    def __init__(self, action: str, region: str, problem: str) -> None:
        super().__init__(action, region, "MalformedResponse", problem, FailureKind.OTHER)


def _describe(value: Any) -> str:
    if value is _MISSING:
        return "nothing (the field is missing)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({value})"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return f"{type(value).__name__} {short_repr(value, 40)}"


@dataclass(frozen=True, slots=True)
class Body:
    """One object of a response (the body itself, or an object inside it), with the action,
    region and path that a :class:`MalformedResponse` names."""

    data: Mapping[str, Any]
    action: str
    region: str
    path: str = ""

    @classmethod
    def of(cls, data: Any, action: str, region: str, path: str = "") -> Body:
        """``data`` as a Body; anything but an object is malformed."""
        if not isinstance(data, Mapping):
            where = path or "the response"
            raise MalformedResponse(
                action, region, f"{where}: expected an object, got {_describe(data)}"
            )
        return cls(data, action, region, path)

    def fail(self, key: str, expected: str, value: Any = _MISSING) -> MalformedResponse:
        where = f"{self.path}.{key}" if self.path else key
        return MalformedResponse(
            self.action, self.region, f"{where}: expected {expected}, got {_describe(value)}"
        )

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def _get(self, key: str, kinds: type | tuple[type, ...], expected: str, required: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                raise self.fail(key, expected, value)
            return None
        if (isinstance(value, bool) and bool not in _as_tuple(kinds)) or not isinstance(
            value, kinds
        ):
            raise self.fail(key, expected, value)
        return value

    # scalars --------------------------------------------------------------------------------

    def text(self, key: str) -> str:
        value: str = self._get(key, str, "a string", True)
        return value

    def opt_text(self, key: str) -> str | None:
        value: str | None = self._get(key, str, "a string", False)
        return value

    def opt_integer(self, key: str) -> int | None:
        value: int | None = self._get(key, int, "an integer", False)
        return value

    def opt_number(self, key: str) -> float | None:
        value = self._get(key, (int, float), "a number", False)
        return None if value is None else float(value)

    def flag(self, key: str) -> bool:
        value: bool = self._get(key, bool, "a boolean", True)
        return value

    def opt_flag(self, key: str) -> bool | None:
        value: bool | None = self._get(key, bool, "a boolean", False)
        return value

    def time(self, key: str) -> dt.datetime:
        value: dt.datetime = self._get(key, dt.datetime, "a timestamp", True)
        return value

    # objects and lists ----------------------------------------------------------------------

    def child(self, key: str) -> Body:
        """The object at ``key``, which AWS always sends."""
        value = self._get(key, Mapping, "an object", True)
        return Body(value, self.action, self.region, self._at(key))

    def opt_child(self, key: str) -> Body | None:
        """The object at ``key``, or None when AWS left it out."""
        value = self._get(key, Mapping, "an object", False)
        return None if value is None else Body(value, self.action, self.region, self._at(key))

    def children(self, key: str) -> list[Body]:
        """The list of objects at ``key``, which AWS always sends (maybe empty)."""
        return self._objects(key, self._get(key, list, "a list", True))

    def opt_children(self, key: str) -> list[Body]:
        """The list of objects at ``key``; empty when AWS left it out."""
        return self._objects(key, self._get(key, list, "a list", False) or [])

    def texts(self, key: str) -> list[str]:
        """The list of strings at ``key``, which AWS always sends (maybe empty)."""
        values = self._get(key, list, "a list of strings", True)
        for i, value in enumerate(values):
            if not isinstance(value, str):
                raise self.fail(f"{key}[{i}]", "a string", value)
        return list(values)

    def opt_texts(self, key: str) -> tuple[str, ...]:
        """The strings at ``key``; empty when AWS left the list out."""
        return tuple(self.texts(key)) if self.has(key) else ()

    def int_map(self, key: str) -> dict[str, int]:
        """An object of integers at ``key`` (absent: empty)."""
        value = self._get(key, Mapping, "an object of integers", False) or {}
        for name, item in value.items():
            if isinstance(item, bool) or not isinstance(item, int):
                raise self.fail(f"{key}.{name}", "an integer", item)
        return dict(value)

    def _objects(self, key: str, values: list[Any]) -> list[Body]:
        return [
            Body.of(v, self.action, self.region, f"{self._at(key)}[{i}]")
            for i, v in enumerate(values)
        ]

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key


def unparsable(action: str, region: str, exc: BaseException) -> MalformedResponse:
    """The MalformedResponse for a body botocore's parser could not read."""
    problem = f"botocore could not parse the response ({type(exc).__name__}: {exc})"
    return MalformedResponse(action, region, problem)


@contextmanager
def parse_guard(action: str, region: str) -> Iterator[None]:
    """Around one botocore call made outside a ``RegionReader``: a body its parser chokes on is
    a :class:`MalformedResponse`; AWS's own errors pass through as they are."""
    try:
        yield
    except (ClientError, BotoCoreError):
        raise
    except PARSE_FAILURES as exc:
        raise unparsable(action, region, exc) from None


def bounded(pages: Iterable[T], action: str, region: str) -> list[T]:
    """Every page, or a MalformedResponse past ``MAX_PAGES``: a partial list would look
    complete, an endless one would never end."""
    out: list[T] = []
    for page in pages:
        out.append(page)
        if len(out) > MAX_PAGES:
            raise MalformedResponse(action, region, f"more than {MAX_PAGES} pages")
    return out


def call_body(client: Any, action: str, region: str, **params: Any) -> Body:
    """One call of ``action`` (``"sts:AssumeRole"``) made with ``client``, its body typed.
    AWS's own errors pass through as botocore raised them (the caller classifies them)."""
    method = getattr(client, xform_name(action.partition(":")[2]))
    with parse_guard(action, region):
        response = method(**params)
    return Body.of(response, action, region)


def page_bodies(client: Any, action: str, region: str, **params: Any) -> list[Body]:
    """Every page of the paginated ``action`` made with ``client``, each typed."""
    paginator = client.get_paginator(xform_name(action.partition(":")[2]))
    with parse_guard(action, region):
        pages = bounded(paginator.paginate(**params), action, region)
    return [Body.of(page, action, region) for page in pages]


def known_or_unknown(read: Callable[[], T], origin: Origin | None) -> Fact[T]:
    """``Known(read())``, or the Unknown of the MalformedResponse it raised: one part of a body
    that is wrong makes only what that part feeds unknown."""
    try:
        return Known(read(), origin)
    except MalformedResponse as err:
        return Unknown(err.reason, origin)


def items(pages: Iterable[Body], key: str) -> list[Body]:
    """The objects listed under ``key`` in every page (each page must hold the list)."""
    return [item for page in pages for item in page.children(key)]


def text_items(pages: Iterable[Body], key: str) -> list[str]:
    """The strings listed under ``key`` in every page."""
    return [item for page in pages for item in page.texts(key)]


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)
