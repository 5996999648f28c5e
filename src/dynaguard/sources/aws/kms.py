"""KMS keys used by tables and replicas: DescribeKey per distinct key, and rotation status of
customer managed keys. A replica's key lives in the replica's region and is described there.

``KeyManager`` is what tells a customer managed key from the AWS managed ``aws/dynamodb`` key;
``SSEType == KMS`` alone proves neither. AWS rotates AWS managed keys every year, so their
rotation is known without a call.
https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html
https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
"""

from __future__ import annotations

from dynaguard.model import NOT_COLLECTED, Fact, KeyManager, KmsKey, Known
from dynaguard.sources.aws.reader import RegionReader

SERVICE = "kms"


def collect_key(reader: RegionReader, key_ref: str, rotation: bool) -> Fact[KmsKey]:
    """Describe ``key_ref`` (ARN, id or alias); with ``rotation``, read a customer key's."""
    return reader.fact(lambda: _read_key(reader, key_ref, rotation), SERVICE, "DescribeKey")


def _read_key(reader: RegionReader, key_ref: str, rotation: bool) -> KmsKey:
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
    return KmsKey(
        key_ref=key_ref,
        arn=arn,
        manager=manager,
        state=metadata.opt_text("KeyState"),
        rotation_enabled=rotation_enabled,
        origin=reader.origin(SERVICE, "DescribeKey"),
    )


def _rotation_enabled(reader: RegionReader, key_id: str) -> bool:
    return reader.read(SERVICE, "GetKeyRotationStatus", KeyId=key_id).flag("KeyRotationEnabled")
