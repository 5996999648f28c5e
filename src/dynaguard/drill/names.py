"""Scratch table names: clearly generated, unique per drill, recognisable by their prefix.

``dynaguard-drill-<source>-<UTC timestamp>-<4 hex>``, within DynamoDB's 255 characters of
``[a-zA-Z0-9_.-]`` (a table name is already in that set).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

SCRATCH_PREFIX = "dynaguard-drill-"
_SCRATCH = re.compile(r"^dynaguard-drill-.+-\d{8}T\d{6}Z-[0-9a-f]{4}$")
MAX_NAME = 255


def scratch_name(source: str, now: dt.datetime | None = None) -> str:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    suffix = f"-{stamp}-{secrets.token_hex(2)}"
    room = MAX_NAME - len(SCRATCH_PREFIX) - len(suffix)
    return f"{SCRATCH_PREFIX}{source[:room]}{suffix}"


def is_scratch_table(name: str) -> bool:
    return bool(_SCRATCH.match(name))
