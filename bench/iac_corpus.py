"""Generate a Terraform corpus for bench/iac_bench.py: N files of DynamoDB and DAX resources.

Settings vary with the file index so every control sees PASS, FAIL and UNKNOWN inputs: SSE
(none / AWS managed / customer key declared in the file / variable without default), PITR,
deletion protection, billing mode with and without auto scaling, streams, TTL, tags, replicas,
and every tenth file a DAX cluster. ``files_per_dir`` groups files into root modules, as in a
monorepo of many small stacks.
"""

from __future__ import annotations

from pathlib import Path

_SSE = (
    "",
    "  server_side_encryption {\n    enabled = true\n  }\n",
    "  server_side_encryption {\n    enabled     = true\n"
    "    kms_key_arn = aws_kms_key.k{i}.arn\n  }\n",
    "  server_side_encryption {\n    enabled     = true\n    kms_key_arn = var.key_arn\n  }\n",
)


def table_file(i: int) -> str:
    """One .tf file: a table (and sometimes a key, a DAX cluster, scaling, replicas)."""
    parts = [f'locals {{\n  name_{i} = "orders-{i:05d}"\n}}\n']
    sse = _SSE[i % 4].replace("{i}", str(i))
    if "aws_kms_key" in sse:
        parts.append(
            f'resource "aws_kms_key" "k{i}" {{\n  description = "table {i}"\n'
            f"  enable_key_rotation = {str(i % 3 != 0).lower()}\n}}\n"
        )
    on_demand = i % 2 == 0
    billing = (
        '  billing_mode = "PAY_PER_REQUEST"\n'
        if on_demand
        else ("  read_capacity  = 5\n  write_capacity = 5\n")
    )
    pitr = f"  point_in_time_recovery {{\n    enabled = {str(i % 5 != 0).lower()}\n  }}\n"
    stream = (
        '  stream_enabled   = true\n  stream_view_type = "NEW_AND_OLD_IMAGES"\n' if i % 3 else ""
    )
    ttl = (
        '  ttl {\n    attribute_name = "expires_at"\n    enabled        = true\n  }\n'
        if i % 4
        else ""
    )
    replica = (
        '  replica {\n    region_name = "eu-west-1"\n    point_in_time_recovery = true\n  }\n'
        '  replica {\n    region_name = "us-west-2"\n  }\n'
        if i % 7 == 0
        else ""
    )
    parts.append(
        f'resource "aws_dynamodb_table" "t{i}" {{\n  name     = local.name_{i}\n'
        f'  hash_key = "pk"\n{billing}'
        f'  attribute {{\n    name = "pk"\n    type = "S"\n  }}\n'
        f"{sse}{pitr}{stream}{ttl}{replica}"
        f"  deletion_protection_enabled = {str(i % 2 == 1).lower()}\n"
        f'  tags = {{\n    owner = "team-{i % 9}"\n    env   = "prod"\n  }}\n}}\n'
    )
    if not on_demand and i % 3 == 1:
        parts.append(_scaling(i))
    if i % 10 == 0:
        parts.append(_dax(i))
    return "\n".join(parts)


def _scaling(i: int) -> str:
    out = []
    for dim in ("Read", "Write"):
        low = dim.lower()
        out.append(
            f'resource "aws_appautoscaling_target" "{low}{i}" {{\n'
            f'  service_namespace  = "dynamodb"\n'
            f'  resource_id        = "table/${{aws_dynamodb_table.t{i}.name}}"\n'
            f'  scalable_dimension = "dynamodb:table:{dim}CapacityUnits"\n'
            f"  min_capacity = 5\n  max_capacity = 100\n}}\n"
            f'resource "aws_appautoscaling_policy" "{low}{i}" {{\n'
            f'  name               = "{low}-{i}"\n  policy_type = "TargetTrackingScaling"\n'
            f"  resource_id        = aws_appautoscaling_target.{low}{i}.resource_id\n"
            f"  scalable_dimension = aws_appautoscaling_target.{low}{i}.scalable_dimension\n"
            f"  service_namespace  = aws_appautoscaling_target.{low}{i}.service_namespace\n"
            f"  target_tracking_scaling_policy_configuration {{\n"
            f"    predefined_metric_specification {{\n"
            f'      predefined_metric_type = "DynamoDB{dim}CapacityUtilization"\n    }}\n'
            f"    target_value = 70\n  }}\n}}\n"
        )
    return "\n".join(out)


def _dax(i: int) -> str:
    azs = '["us-east-1a", "us-east-1b", "us-east-1c"]' if i % 20 else '["us-east-1a"]'
    rf = 3 if i % 20 else 1
    return (
        f'resource "aws_dax_cluster" "d{i}" {{\n  cluster_name = "dax-{i}"\n'
        f'  iam_role_arn = "arn:aws:iam::123456789012:role/dax"\n'
        f'  node_type = "dax.r5.large"\n  replication_factor = {rf}\n'
        f"  availability_zones = {azs}\n"
        f'  cluster_endpoint_encryption_type = "{"TLS" if i % 30 else "NONE"}"\n'
        f"  server_side_encryption {{\n    enabled = {str(i % 40 != 0).lower()}\n  }}\n}}\n"
    )


def variables_file() -> str:
    return 'variable "key_arn" {\n  type = string\n}\n'


def generate(root: Path, count: int, files_per_dir: int = 50) -> Path:
    """Write ``count`` table files under ``root`` (one root module per ``files_per_dir``)."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        stack = root / f"stack-{i // files_per_dir:04d}"
        if i % files_per_dir == 0:
            stack.mkdir(exist_ok=True)
            (stack / "variables.tf").write_text(variables_file(), encoding="utf-8")
        (stack / f"table_{i:05d}.tf").write_text(table_file(i), encoding="utf-8")
    return root
