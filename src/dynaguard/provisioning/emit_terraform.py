"""TableSpec -> Terraform (AWS provider): the same table as ``provision`` would create.

``aws_dynamodb_table`` carries keys, indexes, billing, ``server_side_encryption``,
``point_in_time_recovery`` (with ``recovery_period_in_days``), ``deletion_protection_enabled``,
``ttl``, the stream, ``replica`` blocks and tags; auto scaling is ``aws_appautoscaling_target``
+ ``aws_appautoscaling_policy`` per dimension; the resource policy is
``aws_dynamodb_resource_policy``.
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/dynamodb_table
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from dynaguard import __version__
from dynaguard.provisioning.alarms import terraform_alarms
from dynaguard.provisioning.spec import (
    TABLE_ARN_PLACEHOLDER,
    EncryptionType,
    IndexSpec,
    TableSpec,
)
from dynaguard.provisioning.to_model import scaling_subjects

INDENT = "  "


def hcl_string(value: str) -> str:
    """A quoted HCL string: JSON escapes, plus ``${``/``%{`` escaped (no interpolation)."""
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def label(name: str) -> str:
    """A Terraform resource name for ``name``: letters, digits, ``_`` and ``-``."""
    text = re.sub(r"[^a-zA-Z0-9_-]", "_", name)
    return text if re.match(r"[a-zA-Z_]", text) else f"t_{text}"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Raw):
        return value.text
    return hcl_string(str(value))


class Raw:
    """An HCL expression written as is (a reference), not quoted."""

    def __init__(self, text: str) -> None:
        self.text = text


def _block(name: str, body: Mapping[str, object], depth: int = 1) -> list[str]:
    pad = INDENT * depth
    lines = [f"{pad}{name} {{"]
    lines += [f"{pad}{INDENT}{k} = {_value(v)}" for k, v in body.items() if v is not None]
    lines.append(f"{pad}}}")
    return lines


def _index_body(index: IndexSpec, global_index: bool) -> dict[str, object]:
    body: dict[str, object] = {"name": index.name}
    if global_index:
        body["hash_key"] = index.hash_key
    body["range_key"] = index.range_key
    body["projection_type"] = index.projection.type
    if index.projection.non_key_attributes:
        body["non_key_attributes"] = list(index.projection.non_key_attributes)
    if index.capacity is not None:
        body["read_capacity"] = index.capacity.read
        body["write_capacity"] = index.capacity.write
    return body


def _table_settings(spec: TableSpec) -> list[str]:
    top: dict[str, object] = {
        "name": spec.table_name,
        "billing_mode": spec.billing_mode,
        "hash_key": spec.hash_key,
        "range_key": spec.range_key,
        "read_capacity": spec.capacity.read if spec.capacity else None,
        "write_capacity": spec.capacity.write if spec.capacity else None,
        "table_class": spec.table_class,
        "deletion_protection_enabled": spec.deletion_protection,
        "stream_enabled": spec.stream.enabled,
        "stream_view_type": spec.stream.view_type,
    }
    return [f"{INDENT}{k} = {_value(v)}" for k, v in top.items() if v is not None]


def _table_blocks(spec: TableSpec) -> list[str]:
    lines: list[str] = []
    for name, kind in sorted(spec.attributes.items()):
        lines += _block("attribute", {"name": name, "type": kind})
    for g in spec.global_indexes:
        lines += _block("global_secondary_index", _index_body(g, True))
    for lsi in spec.local_indexes:
        lines += _block("local_secondary_index", _index_body(lsi, False))
    if spec.ttl_attribute:
        lines += _block("ttl", {"attribute_name": spec.ttl_attribute, "enabled": True})
    lines += _block(
        "point_in_time_recovery",
        {
            "enabled": spec.pitr.enabled,
            "recovery_period_in_days": spec.pitr.recovery_period_in_days,
        },
    )
    enc = spec.encryption
    if enc.type is not EncryptionType.DEFAULT:  # no block: the AWS owned key
        lines += _block("server_side_encryption", {"enabled": True, "kms_key_arn": enc.kms_key_arn})
    for r in spec.replicas:
        lines += _block(
            "replica",
            {
                "region_name": r.region,
                "kms_key_arn": r.kms_key_arn,
                "point_in_time_recovery": spec.pitr.enabled,
            },
        )
    if spec.tags:
        lines.append(f"{INDENT}tags = {{")
        lines += [
            f"{INDENT * 2}{hcl_string(k)} = {hcl_string(v)}" for k, v in sorted(spec.tags.items())
        ]
        lines.append(f"{INDENT}}}")
    if spec.autoscaling is not None:  # auto scaling owns the capacity from now on
        lines.append(f"{INDENT}lifecycle {{")
        lines.append(f"{INDENT * 2}ignore_changes = [read_capacity, write_capacity]")
        lines.append(f"{INDENT}}}")
    return lines


def _scaling(spec: TableSpec, table: str) -> list[str]:
    lines: list[str] = []
    for resource_id, kind, scaling in scaling_subjects(spec):
        suffix = resource_id.removeprefix(f"table/{spec.table_name}").replace("/index/", "_")
        resource_expr = f"table/${{aws_dynamodb_table.{table}.name}}" + (
            resource_id.removeprefix(f"table/{spec.table_name}")
        )
        for word in ("Read", "Write"):
            name = label(f"{table}{suffix}_{word.lower()}")
            lines += [
                "",
                f'resource "aws_appautoscaling_target" "{name}" {{',
                f'{INDENT}service_namespace  = "dynamodb"',
                f'{INDENT}resource_id        = "{resource_expr}"',
                f'{INDENT}scalable_dimension = "dynamodb:{kind}:{word}CapacityUnits"',
                f"{INDENT}min_capacity       = {scaling.min_capacity}",
                f"{INDENT}max_capacity       = {scaling.max_capacity}",
                "}",
                "",
                f'resource "aws_appautoscaling_policy" "{name}" {{',
                f'{INDENT}name               = "DynamoDB{word}CapacityUtilization:{resource_id}"',
                f'{INDENT}policy_type        = "TargetTrackingScaling"',
                f"{INDENT}service_namespace  = aws_appautoscaling_target.{name}.service_namespace",
                f"{INDENT}resource_id        = aws_appautoscaling_target.{name}.resource_id",
                f"{INDENT}scalable_dimension = aws_appautoscaling_target.{name}.scalable_dimension",
                f"{INDENT}target_tracking_scaling_policy_configuration {{",
                f"{INDENT * 2}target_value = {scaling.target_utilization:g}",
                f"{INDENT * 2}predefined_metric_specification {{",
                f'{INDENT * 3}predefined_metric_type = "DynamoDB{word}CapacityUtilization"',
                f"{INDENT * 2}}}",
                f"{INDENT}}}",
                "}",
            ]
    return lines


def _resource_policy(spec: TableSpec, table: str) -> list[str]:
    if spec.resource_policy is None:
        return []
    text = json.dumps(spec.resource_policy, indent=2).replace("${", "$${").replace("%{", "%%{")
    text = text.replace("$" + TABLE_ARN_PLACEHOLDER, f"${{aws_dynamodb_table.{table}.arn}}")
    return [
        "",
        f'resource "aws_dynamodb_resource_policy" "{table}" {{',
        f"{INDENT}resource_arn = aws_dynamodb_table.{table}.arn",
        f"{INDENT}policy       = <<-POLICY",
        *[f"{INDENT * 2}{line}" for line in text.splitlines()],
        f"{INDENT}POLICY",
        "}",
    ]


def render_terraform(spec: TableSpec) -> str:
    """The Terraform code for ``spec`` (region from the provider configuration)."""
    table = label(spec.table_name)
    lines = [
        f"# Generated by dynaguard {__version__} provision from {spec.source}.",
        f"# Region: {spec.region} (set it in the aws provider).",
        "",
        f'resource "aws_dynamodb_table" "{table}" {{',
        *_table_settings(spec),
        *_table_blocks(spec),
        "}",
        *_scaling(spec, table),
        *_resource_policy(spec, table),
        *terraform_alarms(spec, table, INDENT),
    ]
    return "\n".join(lines) + "\n"
