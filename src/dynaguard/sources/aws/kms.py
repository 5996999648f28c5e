"""KMS keys used by tables and replicas: DescribeKey per distinct key, and rotation status of
customer managed keys. A replica's key lives in the replica's region and is described there.

With ``aliases`` (only when ``baseline.allowed_kms_keys`` names a key by alias ARN), each
customer key's alias names are read too (ListAliases), so DDB.001 can honour the alias exactly.

``KeyManager`` is what tells a customer managed key from the AWS managed ``aws/dynamodb`` key;
``SSEType == KMS`` alone proves neither. AWS rotates AWS managed keys every year, so their
rotation is known without a call.
https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html
https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
"""

from __future__ import annotations

from dynaguard.model import NOT_COLLECTED, Fact, KeyManager, KmsKey, Known, Unknown
from dynaguard.model.aws_rules import parse_kms_arn
from dynaguard.sources.aws.reader import RegionReader

SERVICE = "kms"


def collect_key(
    reader: RegionReader, key_ref: str, rotation: bool, aliases: bool = False
) -> Fact[KmsKey]:
    """Describe ``key_ref`` (ARN, id or alias); with ``rotation``, read a customer key's
    rotation, with ``aliases`` its aliases."""
    return reader.fact(
        lambda: _read_key(reader, key_ref, rotation, aliases), SERVICE, "DescribeKey"
    )


def _read_key(reader: RegionReader, key_ref: str, rotation: bool, aliases: bool) -> KmsKey:
    metadata = reader.read(SERVICE, "DescribeKey", KeyId=key_ref).child("KeyMetadata")
    manager_name = metadata.text("KeyManager")
    if manager_name not in {m.value for m in KeyManager}:
        raise metadata.fail("KeyManager", "AWS or CUSTOMER", manager_name)
    manager = KeyManager(manager_name)
    arn = metadata.text("Arn")
    rotation_enabled: Fact[bool] = NOT_COLLECTED
    if manager is KeyManager.AWS:
        rotation_enabled = Known(True, reader.origin(SERVICE, "DescribeKey"))
    elif rotation:
        rotation_enabled = reader.fact(
            lambda: _rotation_enabled(reader, arn), SERVICE, "GetKeyRotationStatus"
        )
    alias_names: Fact[tuple[str, ...]] = NOT_COLLECTED
    if aliases and manager is KeyManager.CUSTOMER:
        alias_names = _collect_aliases(reader, arn)
    return KmsKey(
        key_ref=key_ref,
        arn=arn,
        manager=manager,
        state=metadata.opt_text("KeyState"),
        rotation_enabled=rotation_enabled,
        origin=reader.origin(SERVICE, "DescribeKey"),
        aliases=alias_names,
    )


def _collect_aliases(reader: RegionReader, arn: str) -> Fact[tuple[str, ...]]:
    """The alias names of the key ``arn`` (ListAliases with KeyId, every page). KMS lists
    aliases only for a key of the caller's own account and region: another account's key
    (a table may use one) is Unknown, never "no alias".
    https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html"""
    parsed = parse_kms_arn(arn)
    if parsed is None or (parsed.account, parsed.region) != (reader.account_id, reader.region):
        return Unknown(
            f"the aliases of {arn} can be listed only from its own account and region",
            reader.origin(SERVICE, "ListAliases"),
        )
    return reader.fact(lambda: _alias_names(reader, arn), SERVICE, "ListAliases")


def _alias_names(reader: RegionReader, arn: str) -> tuple[str, ...]:
    pages = reader.read_pages(SERVICE, "ListAliases", KeyId=arn)
    listed = [alias for page in pages for alias in page.opt_children("Aliases")]
    return tuple(sorted(alias.text("AliasName") for alias in listed))


def _rotation_enabled(reader: RegionReader, key_id: str) -> bool:
    return reader.read(SERVICE, "GetKeyRotationStatus", KeyId=key_id).flag("KeyRotationEnabled")
