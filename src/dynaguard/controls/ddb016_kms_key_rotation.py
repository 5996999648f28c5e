"""DDB.016: a customer managed key used by a table or replica rotates and is enabled.

The subject is a ``KeyUse`` (a key and the tables using it). The AWS managed key is rotated by
AWS and is NOT_APPLICABLE here (DDB.001 already judges whether it is acceptable); the AWS owned
key never appears.
"""

from __future__ import annotations

from dynaguard.controls.base import Context, Verdict, failed, not_applicable, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.controls.subjects import KeyUse
from dynaguard.model import KeyManager, Unknown, is_aws_managed_dynamodb_key


@control(
    id="DDB.016",
    title="Customer managed key used by DynamoDB is enabled and rotated",
    severity="medium",
    subject=KeyUse,
    facts={"kms.keys", "kms.rotation"},
    rationale="Automatic rotation limits how much data one key version protects; a disabled or "
    "pending-deletion key makes every table that uses it unreadable.",
    remediation="aws kms enable-key-rotation --key-id KEY_ID (and aws kms enable-key / "
    "cancel-key-deletion if the key is disabled or scheduled for deletion)",
)
def kms_key_rotated_and_enabled(use: KeyUse, ctx: Context) -> Verdict:
    users = ", ".join(use.used_by)
    if is_aws_managed_dynamodb_key(use.key_ref):
        return not_applicable(f"AWS managed key aws/dynamodb (rotated by AWS), used by {users}")
    if isinstance(use.key, Unknown):
        return unknown(
            f"key {use.key_ref} could not be described: {use.key.reason}", use.key.origin
        )
    key = use.key.value
    if key.manager is KeyManager.AWS:
        return not_applicable(f"AWS managed key (rotated by AWS), used by {users}", key.origin)
    name = key.arn or use.key_ref
    if key.state is not None and key.state != "Enabled":
        return failed(f"customer managed key {name} is {key.state}; used by {users}", key.origin)
    rotation = key.rotation_enabled
    if isinstance(rotation, Unknown):
        return unknown(f"rotation status of key {name} unknown: {rotation.reason}", rotation.origin)
    if key.state is None:
        return unknown(f"state of key {name} unknown", key.origin)
    if not rotation.value:
        return failed(
            f"automatic rotation is disabled on customer managed key {name}; used by {users}",
            rotation.origin or key.origin,
        )
    return passed(
        f"customer managed key {name} is enabled and rotates automatically",
        rotation.origin or key.origin,
    )
