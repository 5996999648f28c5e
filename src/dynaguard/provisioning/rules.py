"""AWS's naming rules and quotas for a table schema (the formats shared with the rest of
dynaguard, such as KMS ARNs and region names, are in ``model.aws_rules``).

Limits are DynamoDB's service quotas and API constraints:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
"""

from __future__ import annotations

import re

from dynaguard.provisioning.spec import PAY_PER_REQUEST, PROVISIONED, EncryptionType
from dynaguard.sanitize import short_repr

TABLE_NAME = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
ATTRIBUTE_TYPES = ("S", "N", "B")
KEY_ATTRIBUTE_MAX_NAME = 255
MAX_GSIS = 20
MAX_LSIS = 5
MAX_PROJECTED_ATTRIBUTES = 100  # non-key attributes projected across all indexes
MAX_TAGS = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_CHARS = re.compile(r"^[\w\s+=.:/@-]*$", re.UNICODE)
MAX_POLICY_BYTES = 20 * 1024
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
PROJECTION_TYPES = ("ALL", "KEYS_ONLY", "INCLUDE")
BILLING_MODES = (PAY_PER_REQUEST, PROVISIONED)
ENCRYPTION_TYPES = tuple(t.value for t in EncryptionType)


def table_name_problem(name: str) -> str | None:
    if not 3 <= len(name) <= 255:
        return f"must be 3 to 255 characters long, is {len(name)}"
    if not TABLE_NAME.match(name):
        bad = sorted({c for c in name if not re.match(r"[a-zA-Z0-9_.-]", c)})
        return f"may contain only a-z, A-Z, 0-9, '_', '-' and '.'; found {short_repr(''.join(bad))}"
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
