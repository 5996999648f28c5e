"""QA F02: a JSON CloudFormation template whose Resources are all Fn::ForEach loops is
classified as "not a template" and skipped (0 resources, exit 0); the same template in YAML is
expanded and judged."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.qa.conftest import cli

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Transform": "AWS::LanguageExtensions",
    "Resources": {
        "Fn::ForEach::Tables": [
            "N",
            ["A", "B"],
            {
                "T${N}": {
                    "Type": "AWS::DynamoDB::Table",
                    "Properties": {
                        "BillingMode": "PAY_PER_REQUEST",
                        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    },
                }
            },
        ]
    },
}


def _tables(path: Path) -> set[str]:
    result = cli("iac", str(path), "--no-history", "--format", "json")
    return {f["resource_id"] for f in json.loads(result.stdout)["findings"]}


def test_json_foreach_template_is_scanned_like_yaml(tmp_path: Path) -> None:
    (tmp_path / "y").mkdir()
    (tmp_path / "j").mkdir()
    (tmp_path / "y" / "t.yaml").write_text(yaml.safe_dump(TEMPLATE))
    (tmp_path / "j" / "t.json").write_text(json.dumps(TEMPLATE))
    assert _tables(tmp_path / "y") == {"TA", "TB"}
    assert _tables(tmp_path / "j") == {"TA", "TB"}
