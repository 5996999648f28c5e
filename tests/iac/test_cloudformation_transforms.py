"""CloudFormation as it is deployed after its transforms: AWS::LanguageExtensions (Fn::ForEach,
Fn::Length, Fn::ToJsonString, FindInMap DefaultValue, DeletionPolicy with intrinsics)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynaguard.iac_scan import IacResult, scan_iac
from dynaguard.sources.cloudformation.language_extensions import expand_language_extensions
from dynaguard.sources.cloudformation.template import load_template
from dynaguard.sources.iac.load import load_units
from tests.iac.conftest import FIXTURES, findings, scan, status_of

FOREACH = FIXTURES / "cloudformation" / "foreach.yaml"


@pytest.fixture(scope="module")
def foreach() -> IacResult:
    return scan("cloudformation", "foreach.yaml")


@pytest.mark.parametrize(
    ("control", "resource", "status"),
    [
        ("DDB.001", "Tableorders", "PASS"),
        ("DDB.002", "Tableorders", "PASS"),  # FindInMap on the item: true
        ("DDB.001", "Tableuserprofiles", "PASS"),  # &{Name}: the item without "-"
        ("DDB.002", "Tableuserprofiles", "FAIL"),  # FindInMap DefaultValue: false
        ("DDB.003", "Tableuserprofiles", "PASS"),
        # a collection known only at deploy time: every item is judged by the loop body
        ("DDB.001", "Audit${Name}", "FAIL"),
        ("DDB.003", "Audit${Name}", "FAIL"),
    ],
)
def test_for_each_deploys_one_table_per_item(
    foreach: IacResult, control: str, resource: str, status: str
) -> None:
    assert status_of(foreach, control, resource) == status


def test_loop_tables_point_at_the_output_key_line(foreach: IacResult) -> None:
    lines = FOREACH.read_text().splitlines()
    for resource, key in (("Tableorders", "Table&{Name}:"), ("Audit${Name}", "Audit${Name}:")):
        finding = findings(foreach, "DDB.001", resource)[0]
        assert lines[finding.line - 1].strip().lstrip("- ") == key  # type: ignore[operator]


def test_loop_values_resolve_per_item() -> None:
    units, problems, _ = load_units([FOREACH])
    assert problems == []
    tables = {t.address: t for t in units[0].tables}
    assert tables["Tableorders"].name == "orders-prod"
    assert tables["Tableuserprofiles"].name == "user-profiles-prod"
    assert tables["Tableorders"].tags.value == {"tables-in-stack": '{"count":2}'}  # type: ignore[union-attr]
    assert tables["Audit${Name}"].name == "Audit${Name}"  # the name is not known offline


def test_deletion_policy_with_intrinsics_is_resolved() -> None:
    loaded = load_template(FOREACH)
    expanded, problems = expand_language_extensions(loaded.data, loaded.shown)
    assert problems == []
    table = expanded["Resources"]["Tableorders"]
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_nested_loops_and_sub_with_the_identifier(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::LanguageExtensions\nResources:\n"
        "  Fn::ForEach::Envs:\n    - Env\n    - [dev, prod]\n"
        "    - Fn::ForEach::Tables:\n        - Name\n        - [a, b]\n"
        "        - ${Env}${Name}:\n            Type: AWS::DynamoDB::Table\n"
        "            Properties:\n              TableName: !Sub ${Env}-${Name}\n"
        "              DeletionProtectionEnabled: !Equals [!Ref Env, prod]\n"
    )
    result = scan_iac([tmp_path])
    verdicts = {
        f.resource_id: f.status.value for f in result.report.findings if f.control_id == "DDB.003"
    }
    assert verdicts == {"deva": "FAIL", "devb": "FAIL", "proda": "PASS", "prodb": "PASS"}
    units, _, _ = load_units([tmp_path])
    assert sorted(t.name for t in units[0].tables) == ["dev-a", "dev-b", "prod-a", "prod-b"]


def test_for_each_without_the_transform_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
        "  Fn::ForEach::Tables:\n    - Name\n    - [a]\n"
        "    - T${Name}:\n        Type: AWS::DynamoDB::Table\n"
    )
    result = scan_iac([tmp_path])
    assert len(result.problems) == 1
    assert "needs 'Transform: AWS::LanguageExtensions'" in result.problems[0].message
    assert result.exit_code() == 3


def test_malformed_loop_is_one_line_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::LanguageExtensions\nResources:\n"
        "  Fn::ForEach::Tables:\n    - Name\n"
        "  Plain:\n    Type: AWS::DynamoDB::Table\n"
    )
    result = scan_iac([tmp_path])
    assert [(p.line, "needs [Identifier" in p.message) for p in result.problems] == [(3, True)]
    assert status_of(result, "DDB.003", "Plain") == "FAIL"  # the rest is still scanned


# --- SAM (AWS::Serverless-2016-10-31) ------------------------------------------------------------

SAM = FIXTURES / "cloudformation" / "sam" / "template.yaml"


@pytest.fixture(scope="module")
def sam() -> IacResult:
    return scan("cloudformation", "sam", "template.yaml")


@pytest.mark.parametrize(
    ("control", "resource", "status"),
    [
        ("DDB.001", "Orders", "PASS"),  # Globals.SimpleTable.SSESpecification: the CMK
        ("DDB.002", "Orders", "PASS"),
        ("DDB.004", "Orders", "PASS"),  # no ProvisionedThroughput: PAY_PER_REQUEST
        ("DDB.014", "Orders", "SUPPRESSED"),  # the comment above the SAM resource
        ("DDB.001", "Sessions", "FAIL"),  # IgnoreGlobals: no encryption settings
        ("DDB.004", "Sessions", "FAIL"),  # provisioned, no auto scaling
        ("DDB.012", "OrdersFunctionRole.Policies[0]", "PASS"),  # DynamoDBCrudPolicy
        ("DDB.012", "AdminFunctionRole.Policies[0]", "FAIL"),  # dynamodb:* on *
        ("DDB.012", "AmazonDynamoDBFullAccess", "FAIL"),  # a managed policy name in Policies
    ],
)
def test_sam_resources_are_judged_as_deployed(
    sam: IacResult, control: str, resource: str, status: str
) -> None:
    assert status_of(sam, control, resource) == status


def test_sam_findings_point_at_the_sam_resource(sam: IacResult) -> None:
    lines = SAM.read_text().splitlines()
    for resource, key in (
        ("Orders", "Orders:"),
        ("AdminFunctionRole.Policies[0]", "AdminFunction:"),
    ):
        line = findings(sam, "DDB.012" if "Role" in resource else "DDB.001", resource)[0].line
        assert lines[line - 1].strip() == key  # type: ignore[operator]


def test_sam_policy_template_scopes_to_the_table() -> None:
    units, _, _ = load_units([SAM])
    (policy,) = [p for p in units[0].iam_policies if p.name == "OrdersFunctionRole.Policies[0]"]
    assert policy.attached_to == ("OrdersFunctionRole",)
    resources = policy.document.statements[0]["Resource"]
    assert resources[0] == "arn:aws:dynamodb:unknown:000000000000:table/orders-prod"
    assert resources[1].endswith("table/orders-prod/index/*")


def test_sam_roles_carry_managed_policy_names_as_arns() -> None:
    from dynaguard.sources.cloudformation.sam import translate_sam

    loaded = load_template(SAM)
    translated, problems = translate_sam(loaded.data, loaded.shown)
    resources = translated["Resources"]
    arns = resources["AdminFunctionRole"]["Properties"]["ManagedPolicyArns"]
    assert "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess" in arns
    assert "RoleFunctionRole" not in resources  # a function with its own Role gets none
    assert resources["Orders"]["Type"] == "AWS::DynamoDB::Table"
    assert [p.line for p in problems] == [77]


def test_untranslatable_sam_resource_is_one_line_and_the_rest_is_judged(sam: IacResult) -> None:
    assert len(sam.problems) == 1
    problem = sam.problems[0]
    assert problem.line == 77 and "cannot translate SAM resource BrokenFunction" in problem.message
    assert "TableName" in problem.message
    assert sam.exit_code() == 1  # FAILs elsewhere


def test_sam_image_function_built_by_sam_build(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n"
        "      Policies:\n        - DynamoDBReadPolicy:\n            TableName: t\n"
        "    Metadata:\n      Dockerfile: Dockerfile\n"
    )
    result = scan_iac([tmp_path])
    assert result.problems == ()
    assert status_of(result, "DDB.012", "FnRole.Policies[0]") == "PASS"


def test_language_extensions_then_sam(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources:\n"
        "  Fn::ForEach::Tables:\n    - Name\n    - [a, b]\n"
        "    - ${Name}Table:\n        Type: AWS::Serverless::SimpleTable\n"
        "        Properties:\n          TableName: !Sub t-${Name}\n"
    )
    units, problems, _ = load_units([tmp_path])
    assert problems == []
    assert sorted((t.address, t.name) for t in units[0].tables) == [
        ("aTable", "t-a"),
        ("bTable", "t-b"),
    ]
    assert {t.origin.line for t in units[0].tables} == {6}  # type: ignore[union-attr]


# --- CDK output with nested stacks and assets --------------------------------------------------

CDK = FIXTURES / "cloudformation" / "cdk_nested" / "cdk.out"
NESTED = "OrdersNestedStackOrdersNestedStackResource1E2F3A4B"
DEEPER = f"{NESTED}/ArchiveNestedStackArchiveNestedStackResource5D6E7F80"


@pytest.fixture(scope="module")
def cdk() -> IacResult:
    return scan("cloudformation", "cdk_nested", "cdk.out")


def test_nested_stack_tables_get_their_parameters_from_the_parent(cdk: IacResult) -> None:
    # the key ARN the parent passes (Fn::GetAtt of its AWS::KMS::Key), two levels down
    assert status_of(cdk, "DDB.001", f"{NESTED}/OrdersTable315BB997") == "PASS"
    assert status_of(cdk, "DDB.001", f"{DEEPER}/ArchiveTable0C1D2E3F") == "PASS"
    assert status_of(cdk, "DDB.002", f"{DEEPER}/ArchiveTable0C1D2E3F") == "FAIL"
    assert status_of(cdk, "DDB.016", "TableKey5C4A3E2F") == "PASS"  # judged once
    units, problems, _ = load_units([CDK])
    assert problems == []
    assert len(units) == 1  # nested templates are scanned through their parent only
    names = sorted(t.name for t in units[0].tables)
    assert names == [f"{DEEPER}/ArchiveTable0C1D2E3F", "orders-prod"]


def test_nested_findings_point_at_the_nested_template(cdk: IacResult) -> None:
    finding = findings(cdk, "DDB.001", f"{NESTED}/OrdersTable315BB997")[0]
    assert finding.file is not None and finding.file.endswith(".nested.template.json")
    assert finding.line == 7


def test_assets_are_not_scanned(cdk: IacResult) -> None:
    assert not [f for f in cdk.report.findings if "NotDeployed" in f.resource_id]


def test_a_nested_template_that_is_not_local_is_reported(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: https://s3.amazonaws.com/bucket/child.yaml\n"
    )
    result = scan_iac([tmp_path])
    assert [(p.line, "not a local file" in p.message) for p in result.problems] == [(2, True)]
    assert result.exit_code() == 3


def test_a_nested_template_by_relative_path(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(
        "Parameters:\n  Protect:\n    Type: String\n    Default: 'true'\n"
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
        "      TemplateURL: ./child.yaml\n      Parameters:\n        Protect: !Ref Protect\n"
    )
    (tmp_path / "child.yaml").write_text(
        "Parameters:\n  Protect:\n    Type: String\nResources:\n  T:\n"
        "    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      DeletionProtectionEnabled: !Ref Protect\n"
    )
    result = scan_iac([tmp_path])
    assert status_of(result, "DDB.003", "Child/T") == "PASS"
    assert not findings(result, "DDB.003", "T")  # not scanned alone beside its parent
    alone = scan_iac([tmp_path / "child.yaml"])  # asked for on its own: parameter unknown
    assert status_of(alone, "DDB.003", "T") == "UNKNOWN"


# --- pseudo parameters inside strings -------------------------------------------------------


def test_pseudo_parameters_in_strings_are_stable_stand_ins(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Conditions:\n"
        "  InEast: !Equals [!Ref 'AWS::Region', us-east-1]\n"
        "  NamedProd: !Equals [!Sub '${AWS::StackName}', prod]\n"
        "Resources:\n"
        "  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      TableName: !Sub '${AWS::StackName}-orders'\n"
        "      BillingMode: PROVISIONED\n"
        "  ReadTarget:\n    Type: AWS::ApplicationAutoScaling::ScalableTarget\n"
        "    Properties:\n      ServiceNamespace: dynamodb\n"
        "      ResourceId: !Join ['/', [table, !Sub '${AWS::StackName}-orders']]\n"
        "      ScalableDimension: dynamodb:table:ReadCapacityUnits\n"
        "      MinCapacity: 1\n      MaxCapacity: 10\n"
        "  Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n"
        "      VpcId: !Ref Vpc\n"
        "      ServiceName: !Join ['', [com.amazonaws., !Ref 'AWS::Region', .dynamodb]]\n"
        "  Vpc:\n    Type: AWS::EC2::VPC\n"
        "  Protected:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      DeletionProtectionEnabled: !If [NamedProd, true, false]\n"
    )
    result = scan_iac([tmp_path])
    units, _, _ = load_units([tmp_path])
    orders = next(t for t in units[0].tables if t.address == "Orders")
    assert orders.name == "<stack-name>-orders"
    assert status_of(result, "DDB.015", "Vpc") == "PASS"  # the stack region's endpoint
    reason = findings(result, "DDB.004", "Orders")[0].reason
    assert "table read (no target-tracking policy)" in reason  # the target names this table
    # a condition on the stack's name or region stays undecided
    assert status_of(result, "DDB.003", "Protected") == "UNKNOWN"


def test_select_split_and_sub_variables_with_pseudo_parameters(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Parameters:\n  Names:\n    Type: String\n    Default: 'a,b,orders'\n"
        "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      TableName: !Select [2, !Split [',', !Ref Names]]\n"
        "  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n          - Effect: Allow\n"
        "            Action: dynamodb:GetItem\n"
        "            Resource: !Sub\n"
        "              - 'arn:aws:dynamodb:${r}:${a}:table/${t}'\n"
        "              - {r: !Ref 'AWS::Region', a: !Ref 'AWS::AccountId', t: !Ref T}\n"
    )
    units, _, _ = load_units([tmp_path])
    assert units[0].tables[0].name == "orders"
    (policy,) = units[0].iam_policies
    assert policy.document.statements[0]["Resource"] == (
        "arn:aws:dynamodb:unknown:000000000000:table/orders"
    )
    assert status_of(scan_iac([tmp_path]), "DDB.012", "P") == "PASS"


def test_global_table_replica_in_the_stacks_own_region(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  Key:\n    Type: AWS::KMS::Key\n"
        "  Orders:\n    Type: AWS::DynamoDB::GlobalTable\n    Properties:\n"
        "      SSESpecification: {SSEEnabled: true, SSEType: KMS}\n"
        "      Replicas:\n"
        "        - Region: !Ref AWS::Region\n"
        "          PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}\n"
        "          SSESpecification: {KMSMasterKeyId: !Ref Key}\n"
        "        - Region: us-west-2\n"
        "          SSESpecification: {KMSMasterKeyId: alias/aws/dynamodb}\n"
    )
    result = scan_iac([tmp_path])
    # the stack's own replica is the table: its settings are declared, whatever its region
    # (a region the code does not name has no region in findings)
    own_region = {
        f.control_id: f.status.value
        for f in result.report.findings
        if f.resource_id == "Orders" and f.region in (None, "unknown")
    }
    assert own_region["DDB.001"] == own_region["DDB.002"] == own_region["DDB.010"] == "PASS"
    assert status_of(result, "DDB.010", "Orders", "us-west-2") == "FAIL"
    assert status_of(result, "DDB.011", "Orders", "us-west-2") == "FAIL"


def test_json_template_whose_resources_are_all_in_loops_is_scanned(tmp_path: Path) -> None:
    (tmp_path / "t.json").write_text(
        '{"Transform": "AWS::LanguageExtensions", "Resources": {"Fn::ForEach::Tables": '
        '["Name", ["a", "b"], {"T${Name}": {"Type": "AWS::DynamoDB::Table"}}]}}'
    )
    result = scan_iac([tmp_path])
    assert status_of(result, "DDB.003", "Ta") == "FAIL"
    assert status_of(result, "DDB.003", "Tb") == "FAIL"
