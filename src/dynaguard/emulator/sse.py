"""Shared by the DynamoDB patches: DynamoDB errors and SSE state as AWS records it."""

from __future__ import annotations

from typing import Any

from dynaguard.emulator.patches_kms import (
    DYNAMODB_MANAGED_ALIAS,
    KeyResolutionError,
    resolve_key,
)


def validation_error(message: str) -> Exception:
    """A DynamoDB ValidationException (HTTP 400), as moto serialises it."""
    from moto.dynamodb.exceptions import MockValidationException

    return MockValidationException(message)


def normalize_sse(account_id: str, region: str, spec: dict[str, Any] | None) -> Any:
    """The table's SSE state as AWS records it, from an SSESpecification.

    None or ``Enabled`` false/absent: the AWS owned key (no SSEDescription). ``Enabled`` true:
    KMS with the given key (id, ARN, alias or alias ARN) or, without one, the AWS managed key
    ``alias/aws/dynamodb`` (created on first use), always stored as the key ARN.
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSESpecification.html
    """
    if not spec or spec.get("Enabled") is not True:
        return None
    sse_type = spec.get("SSEType", "KMS")
    if sse_type != "KMS":
        raise validation_error(f"Unsupported SSEType {sse_type}: only KMS can be specified")
    key_ref = spec.get("KMSMasterKeyId") or DYNAMODB_MANAGED_ALIAS
    try:
        key = resolve_key(account_id, region, key_ref)
    except KeyResolutionError as exc:
        raise validation_error(str(exc)) from exc
    return {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key.arn}
