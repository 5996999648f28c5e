"""Read-only AWS access for provisioning: the account, the facts the pre-flight check needs
(the customer keys as KMS describes them, the region's AWS Backup selections), and an existing
table's state for the idempotency comparison. Every read goes through the scan's own collectors,
so an existing table is seen exactly as ``dynaguard scan`` sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dynaguard.model import Fact, KmsKey, Known, Scaling, Table
from dynaguard.model.aws_rules import parse_kms_arn
from dynaguard.provisioning.spec import TableSpec
from dynaguard.provisioning.to_model import AccountFacts, key_arns
from dynaguard.sources.aws.backup import collect_backup_selections, collect_backup_settings
from dynaguard.sources.aws.breaker import BreakerBoard
from dynaguard.sources.aws.dynamodb import collect_table
from dynaguard.sources.aws.failures import ReadError
from dynaguard.sources.aws.kms import collect_key
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.reader import RegionReader
from dynaguard.sources.aws.recorder import CallRecorder
from dynaguard.sources.aws.scaling import collect_scaling
from dynaguard.sources.aws.session import AwsSession

EXISTING_TABLE_FACTS = frozenset(
    {"table.describe", "table.pitr", "table.ttl", "table.tags", "table.resource_policy"}
)


@dataclass(frozen=True, slots=True)
class ExistingTable:
    """A table already in AWS: the model as a scan reads it, plus the raw description."""

    table: Table
    description: Mapping[str, Any]
    scaling: Fact[Scaling]
    key: Fact[KmsKey] | None = None  # the KMS key it uses, as DescribeKey reports it


class ProvisionSession:
    """The AWS session of one provisioning run, in the table's region."""

    def __init__(
        self, options: AwsOptions, region: str, run_id: str, recorder: CallRecorder | None
    ) -> None:
        self.session = AwsSession(options, run_id, recorder)
        self.region = region
        self.account_id = self.session.account_id()
        self.reader = RegionReader(self.session, BreakerBoard(), self.account_id, region)

    def client(self, service: str, region: str | None = None) -> Any:
        return self.session.client(service, region or self.region)

    def account_facts(self, spec: TableSpec) -> AccountFacts:
        """Describe every customer key in its own region; read the region's backup selections."""
        keys: dict[str, Fact[KmsKey]] = {}
        for arn in key_arns(spec):
            parsed = parse_kms_arn(arn)
            region = parsed.region if parsed else self.region
            keys[arn] = collect_key(self.reader.in_region(region), arn, rotation=True)
        return AccountFacts(
            account_id=self.account_id,
            partition=self.session.partition(self.region),
            kms_keys=keys,
            backup_selections=collect_backup_selections(self.reader),
            backup_settings=collect_backup_settings(self.reader),
        )

    def existing_table(self, name: str) -> ExistingTable | None:
        """The table if it exists (DescribeTable), read as a scan reads it; else None."""
        try:
            description = self.reader.call("dynamodb", "DescribeTable", TableName=name)["Table"]
        except ReadError as err:
            if err.code == "ResourceNotFoundException":
                return None
            raise
        read = collect_table(self.reader, name, EXISTING_TABLE_FACTS, description)
        scaling = collect_scaling(self.reader)
        enc = read.table.encryption
        key = (
            collect_key(self.reader, enc.value.key_ref, rotation=False)
            if isinstance(enc, Known) and enc.value.kms and enc.value.key_ref
            else None
        )
        return ExistingTable(read.table, description, scaling, key)
