"""Reading a response that does not have the shape botocore's model promises.

A field missing, a list that is a string, an id that is not text: the read becomes an Unknown
naming the operation and the problem, never a traceback and never a shorter list that looks
complete. Used by the IAM and AWS Backup readers (``iam.py``, ``backup.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from dynaguard.model import Fact, Unknown
from dynaguard.sources.aws.reader import RegionReader

T = TypeVar("T")
SHAPE_ERRORS = (KeyError, TypeError, AttributeError, ValueError)


class MalformedResponse(ValueError):
    """A response whose shape is not the documented one."""


def guarded(reader: RegionReader, read: Callable[[], T], service: str, operation: str) -> Fact[T]:
    """``reader.fact(read)``, with a malformed response turned into an Unknown naming it."""

    def checked() -> T:
        try:
            return read()
        except SHAPE_ERRORS as exc:
            raise MalformedResponse(describe(exc)) from exc

    try:
        return reader.fact(checked, service, operation)
    except MalformedResponse as exc:
        return Unknown(
            f"{service}:{operation} returned a malformed response ({exc})",
            reader.origin(service, operation),
        )


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} is a {type(value).__name__}, not an object")
    return value


def text(raw: Mapping[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str) or not value:
        raise TypeError(f"{key} is {value!r}, not a non-empty string")
    return value


def objects(value: Any, what: str) -> list[Mapping[str, Any]]:
    items = value or []
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise TypeError(f"{what} is not a list of objects")
    return items
