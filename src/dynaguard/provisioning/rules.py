"""AWS's naming and format rules for a table schema, and a field reader that collects problems.

Limits are DynamoDB's service quotas and API constraints:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.provisioning.schema_file import Problems

TABLE_NAME = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
# arn:PARTITION:kms:REGION:ACCOUNT:key/ID or :alias/NAME
KMS_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):kms:(?P<region>[a-z]{2}(-[a-z]+)+-\d+):"
    r"(?P<account>\d{12}):(?P<kind>key|alias)/(?P<name>[a-zA-Z0-9:/_+=,.@-]+)$"
)
KEY_ID = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)
ATTRIBUTE_TYPES = ("S", "N", "B")
KEY_ATTRIBUTE_MAX_NAME = 255
MAX_GSIS = 20
MAX_LSIS = 5
MAX_PROJECTED_ATTRIBUTES = 100  # non-key attributes projected across all indexes
MAX_TAGS = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_CHARS = re.compile(r"^[\w\s+=.:/@-]*$", re.UNICODE)
PITR_MIN_DAYS, PITR_MAX_DAYS = 1, 35
TARGET_MIN, TARGET_MAX = 20.0, 90.0
MAX_POLICY_BYTES = 20 * 1024
STREAM_VIEW_TYPES = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
PROJECTION_TYPES = ("ALL", "KEYS_ONLY", "INCLUDE")


@dataclass(frozen=True, slots=True)
class KmsArn:
    partition: str
    region: str
    account: str
    kind: str  # key | alias
    name: str


def parse_kms_arn(value: str) -> KmsArn | None:
    """A KMS key ARN or alias ARN, split; None when it is not one."""
    match = KMS_ARN.match(value)
    if match is None:
        return None
    parsed = KmsArn(
        match["partition"], match["region"], match["account"], match["kind"], match["name"]
    )
    if parsed.kind == "key" and not KEY_ID.match(parsed.name):
        return None
    return parsed


def table_name_problem(name: str) -> str | None:
    if not 3 <= len(name) <= 255:
        return f"must be 3 to 255 characters long, is {len(name)}"
    if not TABLE_NAME.match(name):
        bad = sorted({c for c in name if not re.match(r"[a-zA-Z0-9_.-]", c)})
        return f"may contain only a-z, A-Z, 0-9, '_', '-' and '.'; found {''.join(bad)!r}"
    return None


def tag_problems(key: str, value: str) -> list[str]:
    out = []
    if not 1 <= len(key) <= TAG_KEY_MAX:
        out.append(f"tag key must be 1 to {TAG_KEY_MAX} characters")
    if key.lower().startswith("aws:"):
        out.append("tag keys starting with 'aws:' are reserved for AWS")
    if len(value) > TAG_VALUE_MAX:
        out.append(f"tag value must be at most {TAG_VALUE_MAX} characters")
    if not TAG_CHARS.match(key) or not TAG_CHARS.match(value):
        out.append("tags may contain only letters, digits, spaces and _ . : / = + - @")
    return out


class FieldReader:
    """Typed access to a schema mapping that records a problem instead of raising."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def mapping(self, node: Any, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        """``node`` as a mapping with only ``allowed`` keys (unknown keys are problems)."""
        if node is None:
            return {}
        if not isinstance(node, Mapping):
            self.problems.add(where, f"expected a mapping, got {_kind(node)}")
            return {}
        for key in node:
            if key not in allowed:
                match = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{match[0]}'?)" if match else ""
                self.problems.add(
                    join(where, str(key)),
                    f"unknown field{hint}; allowed: {', '.join(allowed)}",
                    node,
                    key,
                )
        return node

    def get(self, node: Mapping[str, Any], key: str, where: str, kind: type) -> Any:
        """``node[key]`` if present and of ``kind`` (bool is not an int); else None."""
        if key not in node or node[key] is None:
            return None
        value = node[key]
        wrong_bool = isinstance(value, bool) and kind is not bool
        if wrong_bool or not isinstance(value, kind):
            self.problems.add(
                join(where, key), f"expected {kind.__name__}, got {_kind(value)}", node, key
            )
            return None
        return value

    def number(self, node: Mapping[str, Any], key: str, where: str) -> float | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problems.add(join(where, key), f"expected a number, got {_kind(value)}", node, key)
            return None
        return float(value)

    def choice(
        self, node: Mapping[str, Any], key: str, where: str, choices: tuple[str, ...]
    ) -> str | None:
        value = self.get(node, key, where, str)
        if value is None:
            return None
        if value.upper() not in choices:
            self.problems.add(
                join(where, key), f"must be one of {', '.join(choices)}, got {value!r}", node, key
            )
            return None
        return str(value.upper())

    def items(self, node: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(join(where, key), f"expected a list, got {_kind(value)}", node, key)
            return []
        return value


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    return type(value).__name__
