"""A block whose count / for_each cannot be expanded offline is judged once as ADDRESS[?], with a
notice and exit 3 (QA F01); provably empty ones are dropped in silence, invalid ones are an
input problem and are not judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.iac_scan import IacResult
from dynaguard.sources.iac.paths import display_path
from tests.iac.conftest import status_of
from tests.iac.hostile import scan_tree, scanned, write

CONTROLS = ("DDB.001", "DDB.003", "DDB.013")
T = "aws_dynamodb_table"

# deletion protection set literally (PASS whatever the instances), the key and the streams from
# the iterator (UNKNOWN while the collection is unknown)
BODY = """
  name                        = "t"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = true
  stream_enabled              = {stream}
  stream_view_type            = "NEW_AND_OLD_IMAGES"
  server_side_encryption {{
    enabled     = true
    kms_key_arn = {key}
  }}
"""
KEY = 'resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n'


def table(name: str, meta: str, stream: str = "each.value.streams", key: str = "") -> str:
    key = key or "each.value.key"
    return f'resource "{T}" "{name}" {{\n  {meta}\n{BODY.format(stream=stream, key=key)}}}\n'


def scan(tmp_path: Path, files: dict[str, str]) -> IacResult:
    return scan_tree(write(tmp_path, files), controls=CONTROLS)


def reason(result: IacResult, control: str, resource: str) -> str:
    (finding,) = [
        f for f in result.report.findings if f.control_id == control and f.resource_id == resource
    ]
    return finding.reason


def notices(result: IacResult) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in result.problems]


def test_for_each_over_a_variable_without_a_value_is_judged_once(tmp_path: Path) -> None:
    main = 'variable "tables" {\n  type = map(any)\n}\n' + table("t", "for_each = var.tables")
    result = scan(tmp_path, {"main.tf": main})
    assert scanned(result) == {f"{T}.t[?]"}
    assert notices(result) == [
        (
            4,
            f"{T}.t: for_each = var.tables cannot be expanded offline (var.tables has no value); "
            f"judged once as {T}.t[?]",
        )
    ]
    assert status_of(result, "DDB.003", f"{T}.t[?]") == "PASS"
    assert status_of(result, "DDB.001", f"{T}.t[?]") == "UNKNOWN"
    assert "each.value.key" in reason(result, "DDB.001", f"{T}.t[?]")
    assert "var.tables has no value" in reason(result, "DDB.013", f"{T}.t[?]")
    assert result.exit_code() == 3


def test_a_setting_every_instance_shares_still_fails(tmp_path: Path) -> None:
    main = 'variable "tables" {}\n' + table("t", "for_each = var.tables", stream="false")
    result = scan(tmp_path, {"main.tf": main})
    assert status_of(result, "DDB.013", f"{T}.t[?]") == "FAIL"
    assert result.exit_code() == 1  # a FAIL outranks the notice, as for any other problem


def test_a_var_file_expands_the_collection(tmp_path: Path) -> None:
    main = 'variable "tables" {\n  type = map(any)\n}\n' + KEY
    main += table("t", "for_each = var.tables", key="aws_kms_key.k.arn")
    tfvars = "tables = {\n  a = { streams = true }\n  b = { streams = false }\n}\n"
    result = scan(tmp_path, {"main.tf": main, "terraform.tfvars": tfvars})
    assert result.problems == ()
    assert scanned(result) == {f'{T}.t["a"]', f'{T}.t["b"]'}
    assert status_of(result, "DDB.013", f'{T}.t["a"]') == "PASS"
    assert status_of(result, "DDB.013", f'{T}.t["b"]') == "FAIL"
    assert status_of(result, "DDB.001", f'{T}.t["a"]') == "PASS"


def test_a_literal_map_of_two_gives_two_tables(tmp_path: Path) -> None:
    meta = "for_each = {\n    a = { streams = true }\n    b = { streams = true }\n  }"
    result = scan(tmp_path, {"main.tf": KEY + table("t", meta, key="aws_kms_key.k.arn")})
    assert result.problems == ()
    assert scanned(result) == {f'{T}.t["a"]', f'{T}.t["b"]'}
    assert result.exit_code() == 0


def test_for_each_over_a_data_source_is_judged_once(tmp_path: Path) -> None:
    main = 'data "aws_ssm_parameter" "names" {\n  name = "tables"\n}\n'
    main += table(
        "t",
        'for_each = toset(split(",", data.aws_ssm_parameter.names.value))',
        stream='each.key == "audit"',
    )
    result = scan(tmp_path, {"main.tf": main})
    assert notices(result) == [
        (
            4,
            f'{T}.t: for_each = toset(split(",", data.aws_ssm_parameter.names.value)) cannot be '
            "expanded offline (data.aws_ssm_parameter.names.value is read from AWS when "
            f"planned); judged once as {T}.t[?]",
        )
    ]
    # the iterator's value is unknown, never "not set" (which would be a FAIL on a default)
    assert status_of(result, "DDB.013", f"{T}.t[?]") == "UNKNOWN"
    assert "data.aws_ssm_parameter.names.value" in reason(result, "DDB.013", f"{T}.t[?]")
    assert result.exit_code() == 3


def test_for_each_over_a_module_output_is_judged_once(tmp_path: Path) -> None:
    main = 'module "names" {\n  source = "./names"\n}\n'
    main += table("t", "for_each = module.names.tables")
    names = 'output "tables" {\n  value = { a = { streams = true, key = "k" } }\n}\n'
    result = scan(tmp_path, {"main.tf": main, "names/main.tf": names})
    assert scanned(result) == {f"{T}.t[?]"}
    assert notices(result) == [
        (
            4,
            f"{T}.t: for_each = module.names.tables cannot be expanded offline "
            f"(module.names.tables is a module output, not expanded offline); judged once as "
            f"{T}.t[?]",
        )
    ]
    assert status_of(result, "DDB.001", f"{T}.t[?]") == "UNKNOWN"


def test_count_without_a_value_is_not_instance_zero(tmp_path: Path) -> None:
    main = 'variable "n" {}\n' + table("t", "count = var.n", stream="count.index == 0")
    result = scan(tmp_path, {"main.tf": main.replace("each.value.key", "null")})
    assert scanned(result) == {f"{T}.t[?]"}  # tfparse alone made it t[0], count.index = 0
    assert notices(result) == [
        (
            2,
            f"{T}.t: count = var.n cannot be expanded offline (var.n has no value); judged once "
            f"as {T}.t[?]",
        )
    ]
    assert status_of(result, "DDB.013", f"{T}.t[?]") == "UNKNOWN"
    assert result.exit_code() == 1  # kms_key_arn = null: the AWS managed key fails DDB.001


def test_a_multi_line_for_each_is_read_whole(tmp_path: Path) -> None:
    meta = "for_each = {\n    for name, spec in var.tables : name => spec\n  }"
    main = 'variable "tables" {}\n' + table("t", meta)
    result = scan(tmp_path, {"main.tf": main})
    assert scanned(result) == {f"{T}.t[?]"}
    ((line, message),) = notices(result)
    assert line == 2 and "(var.tables has no value)" in message


@pytest.mark.parametrize(
    "meta", ["count = 0", "for_each = {}", "for_each = []", "for_each = toset([])"]
)
def test_a_provably_empty_collection_is_dropped_without_notice(tmp_path: Path, meta: str) -> None:
    result = scan(tmp_path, {"main.tf": table("t", meta)})
    assert result.problems == ()
    assert scanned(result) == set()
    assert result.exit_code() == 0


def test_a_condition_on_a_known_value_is_not_a_notice(tmp_path: Path) -> None:
    main = 'variable "on" {\n  default = false\n}\n' + table("t", "count = var.on ? 1 : 0")
    result = scan(tmp_path, {"main.tf": main})
    assert (result.problems, scanned(result)) == ((), set())


@pytest.mark.parametrize(
    ("meta", "why"),
    [
        ("count = -1", "is not a whole number >= 0"),
        ("count = 1.5", "is not a whole number >= 0"),
        ("count = true", "is not a whole number >= 0"),
        ("for_each = 5", "is not a map or a set of strings"),
        ('for_each = "abc"', "is not a map or a set of strings"),
        ('for_each = ["a", "b"]', "is a list, not a set: use toset([...])"),
    ],
)
def test_an_invalid_count_or_for_each_is_an_input_problem(
    tmp_path: Path, meta: str, why: str
) -> None:
    result = scan(tmp_path, {"main.tf": table("t", meta, stream="false", key="null")})
    assert [p.describe() for p in result.problems] == [
        f"{display_path(tmp_path / 'main.tf')}:1: {T}.t: {meta} {why}: Terraform rejects it; "
        "it is not scanned"
    ]
    assert scanned(result) == set()  # nothing of it would be deployed
    assert result.exit_code() == 3


def test_a_quoted_whole_number_is_a_count(tmp_path: Path) -> None:
    # Terraform converts "2" to 2; tfparse makes one instance of it, judged, not rejected
    result = scan(tmp_path, {"main.tf": table("t", 'count = "2"', stream="true", key="null")})
    assert result.problems == ()
    assert f"{T}.t[0]" in scanned(result)


def test_a_module_call_over_an_unknown_collection_is_judged_once(tmp_path: Path) -> None:
    main = 'variable "keys" {}\nmodule "tables" {\n  source   = "./mod"\n'
    main += "  for_each = var.keys\n  key      = each.value\n}\n"
    mod = 'variable "key" {}\n' + table("m", "", stream="true", key="var.key")
    result = scan(tmp_path, {"main.tf": main, "mod/main.tf": mod})
    resource = f"module.tables[?].{T}.m"
    assert scanned(result) == {resource}
    assert status_of(result, "DDB.001", resource) == "UNKNOWN"
    assert "var.keys has no value" in reason(result, "DDB.001", resource)
    assert notices(result) == [
        (
            2,
            "module.tables: for_each = var.keys cannot be expanded offline (var.keys has no "
            "value); judged once as module.tables[?]",
        )
    ]


# --- plan JSON: Terraform expanded the instances; none may be dropped ---------------------

TABLE_VALUES = {
    "name": "t",
    "hash_key": "pk",
    "billing_mode": "PAY_PER_REQUEST",
    "deletion_protection_enabled": True,
    "server_side_encryption": [{"enabled": True}],
    "stream_enabled": True,
    "stream_view_type": "NEW_AND_OLD_IMAGES",
}
KEY_CONFIG = {
    "address": "aws_kms_key.k",
    "mode": "managed",
    "type": "aws_kms_key",
    "expressions": {"enable_key_rotation": {"constant_value": True}},
}
TABLE_CONFIG = {
    "address": f"{T}.t",
    "mode": "managed",
    "type": T,
    "expressions": {
        "server_side_encryption": [
            {"kms_key_arn": {"references": ["aws_kms_key.k.arn", "aws_kms_key.k"]}}
        ]
    },
}


def planned(address: str, kind: str, values: dict[str, object]) -> dict[str, object]:
    return {"address": address, "mode": "managed", "type": kind, "values": values}


def change(address: str, after_unknown: dict[str, object]) -> dict[str, object]:
    return {"address": address, "change": {"actions": ["create"], "after_unknown": after_unknown}}


def plan_file(tmp_path: Path, plan: dict[str, object]) -> IacResult:
    import json

    body = {"format_version": "1.2", "terraform_version": "1.9.5", **plan}
    return scan(tmp_path, {"plan.json": json.dumps(body, indent=1)})


UNKNOWN_KEY = {"server_side_encryption": [{"kms_key_arn": True}]}
PLANNED_KEY = planned("aws_kms_key.k", "aws_kms_key", {"enable_key_rotation": True})


def test_plan_instances_with_values_known_after_apply_are_all_judged(tmp_path: Path) -> None:
    unknown_key = UNKNOWN_KEY
    result = plan_file(
        tmp_path,
        {
            "planned_values": {
                "root_module": {
                    "resources": [
                        planned(f'{T}.t["a"]', T, TABLE_VALUES),
                        planned(f'{T}.t["b"]', T, {**TABLE_VALUES, "stream_enabled": None}),
                        planned("aws_kms_key.k", "aws_kms_key", {"enable_key_rotation": True}),
                    ]
                }
            },
            "resource_changes": [
                change(f'{T}.t["a"]', unknown_key),
                change(f'{T}.t["b"]', {**unknown_key, "stream_enabled": True}),
            ],
            "configuration": {"root_module": {"resources": [TABLE_CONFIG, KEY_CONFIG]}},
        },
    )
    assert scanned(result) == {f'{T}.t["a"]', f'{T}.t["b"]'}
    assert status_of(result, "DDB.001", f'{T}.t["a"]') == "PASS"  # the key, by reference
    assert status_of(result, "DDB.013", f'{T}.t["a"]') == "PASS"
    assert status_of(result, "DDB.013", f'{T}.t["b"]') == "UNKNOWN"
    assert result.problems == ()


def test_plan_resources_in_module_instances_keep_their_references(tmp_path: Path) -> None:
    """``module.x["a"].aws_dynamodb_table.t`` finds its expressions under ``module.x``."""
    inside = 'module.x["a"].'
    result = plan_file(
        tmp_path,
        {
            "planned_values": {
                "root_module": {
                    "child_modules": [
                        {
                            "address": 'module.x["a"]',
                            "resources": [
                                planned(f"{inside}{T}.t", T, TABLE_VALUES),
                                planned(
                                    f"{inside}aws_kms_key.k",
                                    "aws_kms_key",
                                    {"enable_key_rotation": True},
                                ),
                            ],
                        }
                    ]
                }
            },
            "resource_changes": [
                change(f"{inside}{T}.t", {"server_side_encryption": [{"kms_key_arn": True}]})
            ],
            "configuration": {
                "root_module": {
                    "module_calls": {
                        "x": {"module": {"resources": [TABLE_CONFIG, KEY_CONFIG]}},
                    }
                }
            },
        },
    )
    assert status_of(result, "DDB.001", f"{inside}{T}.t") == "PASS"


def test_a_deferred_plan_resource_is_judged_once_with_a_notice(tmp_path: Path) -> None:
    deferred = {
        "reason": "instance_count_unknown",
        "resource_change": {
            "address": f"{T}.t[*]",
            "mode": "managed",
            "type": T,
            "change": {
                "actions": ["create"],
                "after": {**TABLE_VALUES, "stream_enabled": None},
                "after_unknown": {"stream_enabled": True, **UNKNOWN_KEY},
            },
        },
    }
    result = plan_file(
        tmp_path,
        {
            "planned_values": {"root_module": {"resources": [PLANNED_KEY]}},
            "deferred_changes": [deferred],
            "complete": False,
            "configuration": {"root_module": {"resources": [TABLE_CONFIG, KEY_CONFIG]}},
        },
    )
    assert scanned(result) == {f"{T}.t[?]"}
    assert status_of(result, "DDB.003", f"{T}.t[?]") == "PASS"
    assert status_of(result, "DDB.013", f"{T}.t[?]") == "UNKNOWN"
    ((line, message),) = notices(result)
    assert message == (
        f"{T}.t[*]: Terraform deferred it (instance_count_unknown); judged once as {T}.t[?]"
    )
    assert line is not None and line > 1
    assert result.exit_code() == 3


def test_an_errored_plan_is_an_incomplete_audit(tmp_path: Path) -> None:
    result = plan_file(
        tmp_path,
        {
            "errored": True,
            "planned_values": {
                "root_module": {"resources": [planned(f"{T}.t", T, TABLE_VALUES), PLANNED_KEY]}
            },
            "resource_changes": [change(f"{T}.t", UNKNOWN_KEY)],
            "configuration": {"root_module": {"resources": [TABLE_CONFIG, KEY_CONFIG]}},
        },
    )
    assert [m for _, m in notices(result)] == [
        "the plan errored: Terraform did not plan everything; what it planned is judged"
    ]
    assert result.exit_code() == 3


# --- inside modules: a block's count / for_each is known or not through its call ----------

MODULE = 'variable "names" {}\nvariable "create" {\n  default = true\n}\n' + table(
    "t", "for_each = var.create ? var.names : toset([])", stream="true", key="null"
)


def test_a_module_block_over_an_input_without_a_value_is_judged_once(tmp_path: Path) -> None:
    main = 'variable "names" {}\nmodule "m" {\n  source = "./mod"\n  names  = var.names\n}\n'
    result = scan(tmp_path, {"main.tf": main, "mod/main.tf": MODULE})
    assert scanned(result) == {f"module.m.{T}.t[?]"}  # tfparse alone dropped it: 0 resources
    ((line, message),) = notices(result)
    assert line == 5 and message == (
        f"module.m.{T}.t: for_each = var.create ? var.names : toset([]) cannot be expanded "
        f"offline (var.names has no value); judged once as module.m.{T}.t[?]"
    )
    assert result.exit_code() == 1  # kms_key_arn = null: the AWS managed key fails DDB.001


def test_a_module_block_over_a_known_input_is_expanded(tmp_path: Path) -> None:
    main = 'module "m" {\n  source = "./mod"\n  names  = toset(["a"])\n}\n'
    main += 'module "off" {\n  source = "./mod"\n  names  = toset(["b"])\n  create = false\n}\n'
    result = scan(tmp_path, {"main.tf": main, "mod/main.tf": MODULE})
    assert result.problems == ()
    assert scanned(result) == {f'module.m.{T}.t["a"]'}


def test_a_block_in_a_module_called_over_an_unknown_collection(tmp_path: Path) -> None:
    """Blanking the call's for_each brings the module's own unknown for_each into view."""
    main = 'variable "sets" {}\nmodule "m" {\n  source   = "./mod"\n  for_each = var.sets\n'
    main += "  names    = each.value\n}\n"
    result = scan(tmp_path, {"main.tf": main, "mod/main.tf": MODULE})
    assert scanned(result) == {f"module.m[?].{T}.t[?]"}
    assert [line for line, _ in notices(result)] == [2, 5]


def test_a_module_file_shared_by_a_known_and_an_unknown_call(tmp_path: Path) -> None:
    """The file cannot be blanked for one call only: the unknown instance is said, not judged."""
    main = 'variable "names" {}\nmodule "known" {\n  source = "./mod"\n  names  = toset(["a"])\n}\n'
    main += 'module "unset" {\n  source = "./mod"\n  names  = var.names\n}\n'
    result = scan(tmp_path, {"main.tf": main, "mod/main.tf": MODULE})
    assert scanned(result) == {f'module.known.{T}.t["a"]'}
    ((line, message),) = notices(result)
    assert line == 5 and message.startswith(f"module.unset.{T}.t: for_each")
    assert message.endswith("(var.names has no value); it is not scanned")


def test_a_one_line_block_does_not_hide_the_blocks_after_it(tmp_path: Path) -> None:
    main = 'resource "aws_kms_key" "k" {}\nvariable "tables" {}\n'
    main += table("t", "for_each = var.tables")
    result = scan(tmp_path, {"main.tf": main})
    assert [line for line, _ in notices(result)] == [3]
    assert scanned(result) == {f"{T}.t[?]"}


def test_a_map_with_literal_keys_and_values_from_aws_is_expanded(tmp_path: Path) -> None:
    """Terraform needs the keys only; tfparse expanded it, so it is not judged once."""
    main = 'data "aws_caller_identity" "me" {}\ndata "aws_ssm_parameter" "p" {\n  name = "k"\n}\n'
    meta = (
        "for_each = {\n    a = { streams = true, key = data.aws_ssm_parameter.p.value }\n"
        "    b = { streams = true, key = data.aws_caller_identity.me.arn }\n  }"
    )
    result = scan(tmp_path, {"main.tf": main + table("t", meta)})
    assert result.problems == ()
    assert scanned(result) == {f'{T}.t["a"]', f'{T}.t["b"]'}


def test_a_count_on_the_deploying_region_is_known(tmp_path: Path) -> None:
    main = 'provider "aws" {\n  region = "eu-west-1"\n}\ndata "aws_region" "here" {}\n'
    meta = 'count = data.aws_region.here.name == "eu-west-1" ? 1 : 0'
    result = scan(tmp_path, {"main.tf": main + table("t", meta, stream="true", key="null")})
    assert result.problems == ()
    assert scanned(result) == {f"{T}.t[0]"}


def test_terraform_json_blocks_are_checked_too(tmp_path: Path) -> None:
    """JSON has no line to empty: an unknown collection is reported, not judged."""
    import json

    tables = {
        "t": {"for_each": "${var.tables}", "name": "${each.key}", "hash_key": "pk"},
        "n": {"count": -1, "name": "n", "hash_key": "pk"},
        "off": {"count": 0, "name": "o", "hash_key": "pk"},
    }
    body = {"variable": {"tables": {}}, "resource": {T: tables}}
    result = scan(tmp_path, {"main.tf.json": json.dumps(body, indent=2)})
    assert notices(result) == [
        (
            7,
            f"{T}.t: for_each = var.tables cannot be expanded offline (var.tables has no "
            "value); it is not scanned",
        ),
        (
            12,
            f"{T}.n: count = -1 is not a whole number >= 0: Terraform rejects it; it is not "
            "scanned",
        ),
    ]
    assert result.exit_code() == 3
