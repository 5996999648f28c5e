"""The keys harden is told to encrypt with (``--kms-key``, ``harden.kms_key``), checked before
anything is planned: each must exist in the region it is meant for, be enabled, be customer
managed (the AWS managed key is not one) and be a symmetric encryption key, as DynamoDB
requires. A dry run that plans a switch to a key AWS would refuse is no plan: every problem is
reported at once, as a usage error (exit 2), before the first table is read.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.errors import UsageError
from dynaguard.model.aws_rules import parse_kms_arn
from dynaguard.remediation.base import Options
from dynaguard.sources.aws.collect import resolve_regions
from dynaguard.sources.aws.failures import read_error
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.session import AwsSession


def key_problem(session: AwsSession, key_ref: str, region: str) -> str | None:
    """Why ``key_ref`` cannot encrypt tables in ``region``, or None."""
    parsed = parse_kms_arn(key_ref)
    if parsed is not None and parsed.region != region:
        return (
            f"is in {parsed.region}, not {region} (a table is encrypted with a key of its region)"
        )
    try:
        meta = session.client("kms", region).describe_key(KeyId=key_ref)["KeyMetadata"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NotFoundException":
            return f"does not exist in {region}"
        error = read_error(exc, "kms:DescribeKey", region)
        return f"cannot be checked: {error.reason if error else exc}"
    except BotoCoreError as exc:
        return f"cannot be checked: {exc}"
    arn = str(meta.get("Arn") or "")
    if arn and arn.split(":")[3:4] != [region]:
        return f"is in {arn.split(':')[3]}, not {region}"
    if meta.get("KeyManager") == "AWS":
        return "is an AWS managed key, not a customer managed key"
    if meta.get("KeyState") != "Enabled":
        return f"is {meta.get('KeyState')}, not Enabled"
    if (meta.get("KeySpec") or "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT" or (
        meta.get("KeyUsage") or "ENCRYPT_DECRYPT"
    ) != "ENCRYPT_DECRYPT":
        return "is not a symmetric encryption key (DynamoDB needs SYMMETRIC_DEFAULT)"
    return None


def check_keys(session: AwsSession, keys: Mapping[str, str], regions: Iterable[str]) -> None:
    """Check every configured key where it will be used (``*``: in each region of the run);
    raise one UsageError listing every problem."""
    wanted: dict[tuple[str, str], None] = {}
    for region, key_ref in keys.items():
        for where in regions if region == "*" else (region,):
            wanted[(where, key_ref)] = None
    problems = []
    for region, key_ref in wanted:
        problem = key_problem(session, key_ref, region)
        if problem:
            problems.append(f"KMS key {key_ref} for {region} {problem}")
    if problems:
        raise UsageError(
            "; ".join(problems) + " (set by --kms-key or harden.kms_key: nothing was planned)"
        )


def check_configured_keys(session: AwsSession, aws_options: AwsOptions, options: Options) -> None:
    """The preflight of the encryption fixes (DDB.001, DDB.010): the configured keys, checked
    in the regions they are for (``*``: every region of the run)."""
    keys = options.settings.kms_key
    if keys:
        check_keys(session, keys, resolve_regions(aws_options, session))
