"""KMS gaps: the AWS managed keys, and key-reference resolution for the DynamoDB patches.

See the gap table in :mod:`dynaguard.emulator.patches`.
"""

from __future__ import annotations

from typing import Any

AWS_MANAGED_ALIAS_PREFIX = "alias/aws/"
DYNAMODB_MANAGED_ALIAS = "alias/aws/dynamodb"


class KeyResolutionError(Exception):
    """A KMS key reference that AWS would refuse (unknown, disabled, other region)."""


def install() -> None:
    """KMS-1: keys behind ``alias/aws/*`` are AWS managed (KeyManager AWS, rotated yearly).

    moto creates these keys on first use (DescribeKey of the alias, or a DynamoDB table
    encrypted with KMS and no key id) but reports them as CUSTOMER keys without rotation.
    Every creation path ends in ``KmsBackend.create_alias``, so that is where we mark them.
    https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
    """
    from moto.kms.models import KmsBackend

    backend_cls: Any = KmsBackend
    original = backend_cls.create_alias

    def create_alias(self: Any, target_key_id: str, alias_name: str) -> Any:
        alias = original(self, target_key_id, alias_name)
        if alias_name.startswith(AWS_MANAGED_ALIAS_PREFIX):
            key = self.keys[self.get_key_id(target_key_id)]
            key.key_manager = "AWS"
            key.key_rotation_status = True  # AWS rotates AWS managed keys every year
        return alias

    backend_cls.create_alias = create_alias


def resolve_key(account_id: str, region: str, key_ref: str) -> Any:
    """The moto key object for a key id, key ARN, alias name or alias ARN, as DynamoDB does.

    DynamoDB stores and reports the key ARN whatever reference the caller used; the key must
    live in the table's region and be enabled. ``alias/aws/dynamodb`` is created on first use.
    """
    key_account, key_region = account_id, region
    if key_ref.startswith("arn:"):
        parts = key_ref.split(":")
        if len(parts) < 6 or parts[2] != "kms":
            raise KeyResolutionError(f"Invalid KMSMasterKeyId: {key_ref}")
        key_region, key_account = parts[3], parts[4]
        if key_region != region:
            raise KeyResolutionError(
                f"KMS key {key_ref} is in {key_region}; the key must be in the table's "
                f"region {region}"
            )
    key = _lookup(key_account, key_region, key_ref)
    if key is None:
        raise KeyResolutionError(
            f"KMS validation error: NotFoundException: Key '{key_ref}' does not exist"
        )
    if key.key_state != "Enabled":
        raise KeyResolutionError(
            f"KMS validation error: KMS key {key.arn} is {key.key_state}, not Enabled"
        )
    return key


def is_customer_key(account_id: str, region: str, key_arn: str | None) -> bool:
    """Whether ``key_arn`` names an existing customer managed key (in any state)."""
    if not key_arn:
        return False
    if key_arn.startswith("arn:"):
        parts = key_arn.split(":")
        region, account_id = parts[3], parts[4]
    key = _lookup(account_id, region, key_arn)
    return key is not None and key.key_manager == "CUSTOMER"


def _lookup(account_id: str, region: str, key_ref: str) -> Any:
    from moto.kms.models import kms_backends

    try:
        return kms_backends[account_id][region].describe_key(key_ref)
    except (KeyError, AttributeError, TypeError):
        return None
