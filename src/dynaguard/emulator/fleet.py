"""Seed a realistic DynamoDB fleet with mixed posture into an emulator, through boto3.

Every call goes through the public API at ``endpoint_url``, as a user would make it; the
fleet is described in :mod:`dynaguard.emulator.fleet_spec`. Seeding twice without a reset
fails (the tables exist): reset the emulator first.

``FleetManifest.expected`` maps (control_id, resource_id, region) to the status a scan of the
primary region (plus the account-wide IAM policies) should produce, with the default baseline
and ``baseline_overrides``. Resource ids are those of the findings: table name (a replica's
finding has the table name and the replica's region, so the region is part of the key); DAX
cluster name; IAM policy name, ``role/ROLE/NAME`` for an inline one (region "global"); VPC
id; KMS key ARN as the table or replica reports it (DDB.016; the AWS managed key is
NOT_APPLICABLE there).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import boto3
from botocore.config import Config

from dynaguard.emulator import fleet_spec as spec
from dynaguard.emulator.server import client_kwargs

_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5)


@dataclass(frozen=True, slots=True)
class FleetManifest:
    endpoint_url: str
    account_id: str
    primary_region: str
    replica_regions: tuple[str, ...]
    tables: tuple[str, ...]  # in the primary region
    global_tables: Mapping[str, tuple[str, ...]]  # table -> its replica regions
    dax_clusters: tuple[str, ...]
    kms_keys: Mapping[tuple[str, str], str]  # (region, alias) -> key ARN
    iam_policies: tuple[str, ...]  # finding ids: managed policy name, role/ROLE/NAME inline
    iam_roles: tuple[str, ...]
    vpcs: Mapping[str, str]  # "default" / Name tag -> VPC id (primary region)
    backup_plan_id: str
    backup_selections: Mapping[str, str]  # selection name -> selection id
    baseline_overrides: Mapping[str, object]
    expected: Mapping[tuple[str, str, str], str]  # (control_id, resource_id, region) -> status

    def expected_for(self, control_id: str) -> dict[tuple[str, str], str]:
        """(resource_id, region) -> expected status, for one control."""
        return {
            (rid, region): status
            for (cid, rid, region), status in self.expected.items()
            if cid == control_id
        }


class _Seeder:
    def __init__(self, endpoint_url: str, regions: dict[str, str], account_id: str | None) -> None:
        self.endpoint_url = endpoint_url
        self.regions = regions
        self._clients: dict[tuple[str, str], Any] = {}
        self._credentials: dict[str, str] = {}
        self.account = str(self.client("sts").get_caller_identity()["Account"])
        if account_id and account_id != self.account:
            self._become(account_id)
        self.table_arn = f"arn:aws:dynamodb:{regions['primary']}:{self.account}:table"
        self.keys: dict[tuple[str, str], str] = {}
        self.roles: dict[str, str] = {}

    def client(self, service: str, role: str = "primary") -> Any:
        region = self.regions[role]
        if (service, region) not in self._clients:
            kwargs = client_kwargs(self.endpoint_url, region) | self._credentials
            self._clients[(service, region)] = boto3.client(service, config=_CONFIG, **kwargs)
        return self._clients[(service, region)]

    def _become(self, account_id: str) -> None:
        """Work in another account, as an organisation admin would: assume a role there."""
        role_arn = f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
        creds = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="dynaguard-demo")
        self._credentials = {
            "aws_access_key_id": creds["Credentials"]["AccessKeyId"],
            "aws_secret_access_key": creds["Credentials"]["SecretAccessKey"],
            "aws_session_token": creds["Credentials"]["SessionToken"],
        }
        self._clients.clear()
        self.account = str(self.client("sts").get_caller_identity()["Account"])

    # --- KMS and IAM ------------------------------------------------------------------------

    def kms_keys(self) -> None:
        for alias, (role, rotated) in spec.CUSTOMER_KEYS.items():
            kms = self.client("kms", role)
            key = kms.create_key(Description=f"dynaguard demo {alias}")["KeyMetadata"]
            kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
            if rotated:
                kms.enable_key_rotation(KeyId=key["KeyId"])
            self.keys[(self.regions[role], alias)] = key["Arn"]

    def iam(self) -> None:
        iam = self.client("iam")
        trust = {"app-admin": "ec2", "orders-reader": "lambda", "ops-breakglass": "ec2"}
        trust |= {"dax-service-role": "dax", "backup-service-role": "backup"}
        for role, service in trust.items():
            trust_policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": f"{service}.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            created = iam.create_role(
                RoleName=role, AssumeRolePolicyDocument=json.dumps(trust_policy)
            )
            self.roles[role] = created["Role"]["Arn"]
        for name, (statement, role, managed, _) in spec.IAM_POLICIES.items():
            resolved = json.loads(json.dumps(statement).replace("{arn}", self.table_arn))
            document = json.dumps({"Version": "2012-10-17", "Statement": [resolved]})
            if managed:
                arn = iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]
                iam.attach_role_policy(RoleName=role, PolicyArn=arn)
            else:
                iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)
        for name, (role, _) in spec.AWS_MANAGED_ATTACHMENTS.items():
            iam.attach_role_policy(RoleName=role, PolicyArn=f"arn:aws:iam::aws:policy/{name}")

    # --- DynamoDB ---------------------------------------------------------------------------

    def table(self, table: spec.TableSpec) -> None:
        ddb = self.client("dynamodb")
        ddb.create_table(**spec.create_table_request(table))
        self._table_settings(table, ddb)

    def _table_settings(self, table: spec.TableSpec, ddb: Any) -> None:
        if table.pitr_days:
            _enable_pitr(ddb, table.name, table.pitr_days)
        if table.ttl_attribute:
            ddb.update_time_to_live(
                TableName=table.name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )
        arn = f"{self.table_arn}/{table.name}"
        if table.resource_policy:
            ddb.put_resource_policy(
                ResourceArn=arn, Policy=self._policy(table.resource_policy, arn, arn)
            )
        if table.stream_policy:
            stream = ddb.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
            ddb.put_resource_policy(
                ResourceArn=stream, Policy=self._policy(table.stream_policy, arn, stream)
            )
        if table.scaling != "none":
            self._scaling(table)
        for replica in table.replicas:
            region = self.regions[replica.region_role]
            ddb.update_table(
                TableName=table.name,
                ReplicaUpdates=[{"Create": {"RegionName": region, "KMSMasterKeyId": replica.key}}],
            )
            if replica.pitr_days:
                _enable_pitr(
                    self.client("dynamodb", replica.region_role), table.name, replica.pitr_days
                )

    def _policy(self, shape: str, table_arn: str, stream_arn: str) -> str:
        text = json.dumps({"Version": "2012-10-17", "Statement": spec.RESOURCE_POLICIES[shape]})
        for placeholder, value in (
            ("{table}", table_arn),
            ("{stream}", stream_arn),
            ("{account}", self.account),
        ):
            text = text.replace(placeholder, value)
        return text

    def _scaling(self, table: spec.TableSpec) -> None:
        aas = self.client("application-autoscaling")
        resources = [(f"table/{table.name}", "table")]
        if table.gsi:
            resources.append((f"table/{table.name}/index/{table.gsi}", "index"))
        for n, (resource_id, kind) in enumerate(resources):
            for io, metric in (
                ("Read", "DynamoDBReadCapacityUtilization"),
                ("Write", "DynamoDBWriteCapacityUtilization"),
            ):
                dimension = f"dynamodb:{kind}:{io}CapacityUnits"
                aas.register_scalable_target(
                    ServiceNamespace="dynamodb",
                    ResourceId=resource_id,
                    ScalableDimension=dimension,
                    MinCapacity=5,
                    MaxCapacity=50,
                )
                with_policy = table.scaling == "all" or (table.scaling == "table-only" and n == 0)
                if not with_policy:
                    continue
                aas.put_scaling_policy(
                    PolicyName=f"{resource_id.replace('/', '-')}-{io.lower()}",
                    ServiceNamespace="dynamodb",
                    ResourceId=resource_id,
                    ScalableDimension=dimension,
                    PolicyType="TargetTrackingScaling",
                    TargetTrackingScalingPolicyConfiguration={
                        "TargetValue": 70.0,
                        "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                    },
                )

    def throttle_alarms(self) -> None:
        """DDB.018: an SNS topic and the alarms of spec.THROTTLE_ALARMS."""
        topic = self.client("sns").create_topic(Name=spec.ALARM_TOPIC)["TopicArn"]
        cloudwatch = self.client("cloudwatch")
        for table, metrics in spec.THROTTLE_ALARMS.items():
            for metric, enabled in metrics.items():
                cloudwatch.put_metric_alarm(
                    AlarmName=f"{table}-{metric}",
                    Namespace="AWS/DynamoDB",
                    MetricName=metric,
                    Dimensions=[{"Name": "TableName", "Value": table}],
                    Statistic="Sum",
                    Period=60,
                    EvaluationPeriods=1,
                    Threshold=0.0,
                    ComparisonOperator="GreaterThanThreshold",
                    ActionsEnabled=enabled,
                    AlarmActions=[topic],
                )

    # --- Backup, DAX, VPC ---------------------------------------------------------------------

    def backup(self) -> tuple[str, dict[str, str]]:
        backup = self.client("backup")
        backup.create_backup_vault(BackupVaultName="sentinel-vault")
        rule = {
            "RuleName": "daily",
            "TargetBackupVaultName": "sentinel-vault",
            "ScheduleExpression": "cron(0 5 ? * * *)",
        }
        plan = {"BackupPlanName": spec.BACKUP_PLAN, "Rules": [rule]}
        plan_id = backup.create_backup_plan(BackupPlan=plan)["BackupPlanId"]
        selections = {}
        for template in spec.BACKUP_SELECTIONS:
            selection = json.loads(json.dumps(template).replace("{arn}", self.table_arn))
            selection["IamRoleArn"] = self.roles["backup-service-role"]
            created = backup.create_backup_selection(
                BackupPlanId=plan_id, BackupSelection=selection
            )
            selections[selection["SelectionName"]] = created["SelectionId"]
        return plan_id, selections

    def dax(self) -> None:
        dax = self.client("dax")
        zones = _zone_names(self.client("ec2"))
        for cluster in spec.DAX_CLUSTERS:
            dax.create_cluster(
                ClusterName=cluster.name,
                NodeType="dax.r5.large",
                ReplicationFactor=cluster.replication_factor,
                AvailabilityZones=[zones[i] for i in cluster.zones],
                IamRoleArn=self.roles["dax-service-role"],
                SSESpecification={"Enabled": cluster.sse},
                ClusterEndpointEncryptionType="TLS" if cluster.tls else "NONE",
            )
        _wait_for_dax(dax)
        for cluster in spec.DAX_CLUSTERS:
            if cluster.grow_to:
                extra = cluster.grow_to - cluster.replication_factor
                dax.increase_replication_factor(
                    ClusterName=cluster.name,
                    NewReplicationFactor=cluster.grow_to,
                    AvailabilityZones=[zones[cluster.zones[0]]] * extra,
                )
        _wait_for_dax(dax)

    def vpcs(self) -> dict[str, str]:
        ec2 = self.client("ec2")
        region = self.regions["primary"]
        for name, (cidr, with_endpoint) in spec.VPCS.items():
            vpc = ec2.create_vpc(
                CidrBlock=cidr,
                TagSpecifications=[
                    {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}
                ],
            )["Vpc"]
            if with_endpoint:
                tables = ec2.describe_route_tables(
                    Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
                )["RouteTables"]
                ec2.create_vpc_endpoint(
                    VpcEndpointType="Gateway",
                    VpcId=vpc["VpcId"],
                    ServiceName=f"com.amazonaws.{region}.dynamodb",
                    RouteTableIds=[t["RouteTableId"] for t in tables],
                )
        found = {}
        for vpc in ec2.describe_vpcs()["Vpcs"]:
            tags = {t["Key"]: t["Value"] for t in vpc.get("Tags", [])}
            found["default" if vpc.get("IsDefault") else tags.get("Name", vpc["VpcId"])] = vpc[
                "VpcId"
            ]
        return found

    def used_keys(self) -> dict[tuple[str, str], str]:
        """(region, alias) -> key ARN, as the tables and replicas using it report it."""
        found = {}
        for table in spec.TABLES:
            uses = [("primary", table.key)] + [(r.region_role, r.key) for r in table.replicas]
            for role, alias in uses:
                if alias:
                    ddb = self.client("dynamodb", role)
                    described = ddb.describe_table(TableName=table.name)["Table"]
                    arn = described["SSEDescription"]["KMSMasterKeyArn"]
                    found[(self.regions[role], alias)] = str(arn)
        return found


def _enable_pitr(ddb: Any, table: str, days: int) -> None:
    ddb.update_continuous_backups(
        TableName=table,
        PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True,
            "RecoveryPeriodInDays": days,
        },
    )


def _zone_names(ec2: Any) -> list[str]:
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    return sorted(z["ZoneName"] for z in zones)


def _wait_for_dax(dax: Any, attempts: int = 20) -> None:
    """Like a waiter: describe until every cluster is available (moto advances per describe)."""
    for _ in range(attempts):
        clusters = dax.describe_clusters()["Clusters"]
        if all(c["Status"] == "available" for c in clusters):
            return
    raise RuntimeError("DAX clusters did not become available")


def seed_demo_fleet(
    endpoint_url: str,
    *,
    primary_region: str = "us-east-1",
    replica_region: str = "eu-west-1",
    second_replica_region: str = "us-west-2",
    account_id: str | None = None,
) -> FleetManifest:
    """Create the demo fleet in the emulator at ``endpoint_url`` and describe what it is.

    The fleet lands in the account the fake credentials map to (moto: 123456789012), or in
    ``account_id`` through an assumed role there (moto keeps each account's state apart).
    ``orders`` gets replicas in ``replica_region`` (compliant) and ``second_replica_region``
    (not compliant), in that order.
    """
    regions = {
        "primary": primary_region,
        "replica": replica_region,
        "second_replica": second_replica_region,
    }
    if len(set(regions.values())) != len(regions):
        raise ValueError(f"the fleet needs three distinct regions, not {regions}")
    seeder = _Seeder(endpoint_url, regions, account_id)
    seeder.kms_keys()
    seeder.iam()
    for table in spec.TABLES:
        seeder.table(table)
    seeder.throttle_alarms()
    plan_id, selections = seeder.backup()
    seeder.dax()
    vpcs = seeder.vpcs()
    keys = seeder.keys | seeder.used_keys()
    expected = spec.expected_verdicts(seeder.regions, keys, vpcs)
    return FleetManifest(
        endpoint_url=endpoint_url,
        account_id=seeder.account,
        primary_region=primary_region,
        replica_regions=(replica_region, second_replica_region),
        tables=tuple(t.name for t in spec.TABLES),
        global_tables=MappingProxyType(
            {
                t.name: tuple(seeder.regions[r.region_role] for r in t.replicas)
                for t in spec.TABLES
                if t.replicas
            }
        ),
        dax_clusters=tuple(c.name for c in spec.DAX_CLUSTERS),
        kms_keys=MappingProxyType(keys),
        iam_policies=tuple(
            spec.iam_policy_id(name, role, managed)
            for name, (_, role, managed, _) in spec.IAM_POLICIES.items()
        )
        + tuple(spec.AWS_MANAGED_ATTACHMENTS),
        iam_roles=tuple(seeder.roles),
        vpcs=MappingProxyType(vpcs),
        backup_plan_id=plan_id,
        backup_selections=MappingProxyType(selections),
        baseline_overrides=spec.BASELINE_OVERRIDES,
        expected=MappingProxyType(expected),
    )
