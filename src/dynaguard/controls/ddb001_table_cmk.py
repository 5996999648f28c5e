"""DDB.001: table encrypted at rest with a customer managed KMS key.

``SSEType=KMS`` alone does not prove a customer key: the AWS managed key ``alias/aws/dynamodb``
is KMS too. The key is resolved (kms:DescribeKey, collected into ``RegionScope.kms_keys``) and
must be ``KeyManager == CUSTOMER`` and ``Enabled``, and, when ``baseline.allowed_kms_keys`` is
set, one of them: by key ARN, or by an alias ARN that names the key (its aliases are read with
kms:ListAliases only then). ``judge_encryption`` is shared with DDB.010, which applies the same
rule to every global-table replica.
"""

from __future__ import annotations

from dynaguard.config import EncryptionMode
from dynaguard.controls.base import Context, Verdict, failed, passed, unknown
from dynaguard.controls.registry import control
from dynaguard.model import (
    Encryption,
    Fact,
    KeyManager,
    KmsKey,
    Known,
    Table,
    Unknown,
    is_aws_managed_dynamodb_key,
)
from dynaguard.model.aws_rules import alias_entries, parse_kms_arn

_IN_FLUX = ("UPDATING", "ENABLING")


def _aws_managed(ctx: Context, what: str) -> Verdict:
    """The AWS managed key: accepted only when the baseline says ``encryption: kms``."""
    if ctx.baseline.encryption == EncryptionMode.KMS:
        return passed(
            f"{what} is encrypted with the AWS managed key aws/dynamodb "
            "(accepted: baseline encryption is 'kms')"
        )
    return failed(
        f"{what} is encrypted with the AWS managed key aws/dynamodb, not a customer managed "
        "key (AWS manages its policy and rotation; you cannot restrict or revoke it)"
    )


def judge_key(key: KmsKey, key_ref: str, ctx: Context, what: str) -> Verdict:
    """Judge the KMS key that ``what`` uses, as DescribeKey reported it."""
    if key.manager is KeyManager.AWS:
        return _aws_managed(ctx, what)
    if key.state is None:
        return unknown(f"the state of customer managed key {key_ref} used by {what} is unknown")
    if key.state != "Enabled":
        return failed(
            f"{what} uses customer managed key {key_ref}, which is {key.state}: the table "
            "cannot be read or written while its key is unusable"
        )
    allowed = ctx.baseline.allowed_kms_keys
    if allowed:
        refused = judge_allowed(key, key_ref, allowed, what)
        if refused is not None:
            return refused
    return passed(f"{what} is encrypted with customer managed key {key.arn or key_ref}")


def judge_allowed(key: KmsKey, key_ref: str, allowed: tuple[str, ...], what: str) -> Verdict | None:
    """None when ``allowed_kms_keys`` names the key: by its ARN, by the reference the table
    uses, or by an alias ARN of the key's own account and region that the key carries (as
    ListAliases read it). Else the FAIL, or UNKNOWN when an alias entry could name the key
    but its aliases could not be read: an alias is honoured exactly, never guessed."""
    if key.arn in allowed or key_ref in allowed:
        return None
    if key.arn is None:
        return unknown(
            f"{what} uses customer managed key {key_ref}, whose ARN is unknown, so it "
            "cannot be checked against allowed_kms_keys"
        )
    candidates = _aliases_that_could_name(key.arn, allowed)
    if candidates:
        if isinstance(key.aliases, Known):
            if set(candidates) & set(key.aliases.value):
                return None
        else:
            return unknown(
                f"{what} uses customer managed key {key.arn}; whether allowed_kms_keys' "
                f"{', '.join(candidates)} names it is unknown: {key.aliases.reason}",
                key.aliases.origin,
            )
    return failed(f"{what} uses customer managed key {key.arn}, which is not in allowed_kms_keys")


def _aliases_that_could_name(key_arn: str, allowed: tuple[str, ...]) -> list[str]:
    """The alias names (``alias/x``) of the entries that are alias ARNs in the key's own
    partition, account and region: an alias lives in one account and region."""
    key = parse_kms_arn(key_arn)
    if key is None:
        return []
    return [
        f"alias/{entry.name}"
        for entry in alias_entries(allowed)
        if (entry.partition, entry.account, entry.region)
        == (key.partition, key.account, key.region)
    ]


def judge_encryption(encryption: Fact[Encryption], ctx: Context, what: str) -> Verdict:
    """The DDB.001 rule for one table or replica (``what`` names it in reasons)."""
    if isinstance(encryption, Unknown):
        return unknown(
            f"encryption settings of {what} unknown: {encryption.reason}", encryption.origin
        )
    enc = encryption.value
    if not enc.kms:
        return failed(
            f"{what} is encrypted with the AWS owned key (DynamoDB default), not a customer "
            "managed KMS key"
        )
    status = (enc.status or "").upper()
    if status in _IN_FLUX:
        return unknown(f"encryption of {what} is {status}: the key in use cannot be judged yet")
    if status == "INACCESSIBLE_ENCRYPTION_CREDENTIALS":
        return failed(
            f"the KMS key of {what} is inaccessible (INACCESSIBLE_ENCRYPTION_CREDENTIALS): "
            "the table cannot be read or written"
        )
    if status == "DISABLING":  # DISABLED is kms False: the AWS owned key, judged above
        return failed(f"KMS encryption of {what} is {status}: it reverts to the AWS owned key")
    if enc.key_ref is None or is_aws_managed_dynamodb_key(enc.key_ref):
        return _aws_managed(ctx, what)
    key = ctx.scope.kms_keys.get(enc.key_ref)
    if key is None:
        return unknown(f"KMS key {enc.key_ref} used by {what} was not described")
    if isinstance(key, Unknown):
        return unknown(
            f"KMS key {enc.key_ref} used by {what} could not be described: {key.reason}",
            key.origin,
        )
    return judge_key(key.value, enc.key_ref, ctx, what)


@control(
    id="DDB.001",
    title="Table encrypted at rest with a customer managed KMS key",
    severity="high",
    subject=Table,
    facts={"table.describe", "kms.keys"},
    rationale="With a customer managed key you own the key policy, can audit every use in "
    "CloudTrail, and can revoke access to the data by disabling the key; the AWS owned and "
    "AWS managed keys give none of that.",
    remediation="aws dynamodb update-table --table-name TABLE --sse-specification "
    "Enabled=true,SSEType=KMS,KMSMasterKeyId=arn:aws:kms:REGION:ACCOUNT:key/KEY_ID "
    "(or: dynaguard harden with a configured key)",
)
def table_encrypted_with_customer_key(table: Table, ctx: Context) -> Verdict:
    verdict = judge_encryption(table.encryption, ctx, "the table")
    evidence = verdict.evidence or table.encryption.origin
    return Verdict(verdict.status, verdict.reason, evidence=evidence)
