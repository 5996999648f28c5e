"""DDB.010: every global-table replica encrypted with a customer managed key.

Each replica is a table in its own region with its own SSE setting; the DDB.001 rule
(``judge_encryption``) is applied to EVERY replica, one verdict each.
"""

from __future__ import annotations

from collections.abc import Iterator

from dynaguard.controls.base import Context, Verdict
from dynaguard.controls.ddb001_table_cmk import judge_encryption
from dynaguard.controls.registry import control
from dynaguard.controls.replicas import judge_replicas
from dynaguard.model import Table


@control(
    id="DDB.010",
    title="Every global-table replica encrypted with a customer managed key",
    severity="high",
    subject=Table,
    facts={"table.describe", "replicas", "kms.keys"},
    rationale="A global table is only as protected as its weakest replica: a replica on the "
    "AWS owned or managed key holds the same data without the control a customer key gives.",
    remediation="aws dynamodb update-table --table-name TABLE --replica-updates "
    '\'[{"Update":{"RegionName":"REGION","KMSMasterKeyId":"arn:aws:kms:REGION:ACCOUNT:'
    "key/KEY_ID\"}}]' (a customer key in each replica's region; or: dynaguard harden)",
)
def replicas_encrypted_with_customer_key(table: Table, ctx: Context) -> Iterator[Verdict]:
    return judge_replicas(
        table,
        lambda r: judge_encryption(r.encryption, ctx, f"the replica in {r.region}"),
    )
