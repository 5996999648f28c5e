"""What the CloudFormation mappers share: resources by logical id, key resolution, rendering.

``KMSMasterKeyId`` as ``!Ref``/``!GetAtt`` of an ``AWS::KMS::Key`` is a customer managed key
(rotation from ``EnableKeyRotation``, default false; Disabled when ``Enabled: false``); through
an ``AWS::KMS::Alias`` it is the alias's target; ``alias/aws/dynamodb`` is the AWS managed key;
any other literal key is not declared here and stays Unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dynaguard.model import (
    AWS_MANAGED_DYNAMODB_ALIAS,
    Fact,
    KeyManager,
    KmsKey,
    Known,
    Unknown,
    is_aws_managed_dynamodb_key,
)
from dynaguard.model.resources import IAC_STREAM_LABEL
from dynaguard.sources.iac.blocks import Block, Ref
from dynaguard.sources.iac.declared import Declared, synthetic_table_arn
from dynaguard.sources.iac.values import bool_fact, ref_or_str_fact, str_fact

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")


@dataclass(slots=True)
class CfnContext:
    declared: Declared
    raw_resources: Mapping[str, Any]
    blocks: dict[str, Block] = field(default_factory=dict)
    resolve: Callable[[Any], Any] = lambda node: node

    def of_type(self, kind: str) -> list[Block]:
        return [b for b in self.blocks.values() if b.type == kind]

    def resource_type(self, logical_id: str) -> str:
        resource = self.raw_resources.get(logical_id)
        return str(resource.get("Type", "")) if isinstance(resource, Mapping) else ""

    def table_name(self, logical_id: str) -> str:
        block = self.blocks.get(logical_id)
        if block is not None:
            name = str_fact(block, "TableName", None)
            if isinstance(name, Known) and name.value:
                return name.value
            return logical_id
        resource = self.raw_resources.get(logical_id)
        props = resource.get("Properties") if isinstance(resource, Mapping) else None
        raw = props.get("TableName") if isinstance(props, Mapping) else None
        value = self.resolve(raw) if raw is not None else None
        return (
            value if isinstance(value, str) and value else logical_id
        )  # CloudFormation generates a name from the stack and logical id

    def render(self, ref: Ref) -> str:
        """The value a Ref/GetAtt has inside a string (``!Sub``, a policy)."""
        kind = self.resource_type(ref.address)
        if kind in TABLE_TYPES:
            arn = synthetic_table_arn(
                self.declared.region, self.declared.account_id, self.table_name(ref.address)
            )
            if ref.attribute is None:
                return self.table_name(ref.address)
            return f"{arn}/stream/{IAC_STREAM_LABEL}" if ref.attribute == "StreamArn" else arn
        if kind in ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
            noun = kind.split("::")[-1].lower()
            return f"arn:aws:iam::{self.declared.account_id}:{noun}/{ref.address}"
        if kind in ("AWS::EC2::VPCEndpoint", "AWS::EC2::VPC"):
            return ref.address  # the id the model gives them (DDB.006 trusts the account's own)
        return f"${{{ref}}}"

    def key_ref(self, value: Fact[Ref | str | None], depth: int = 0) -> Fact[str | None]:
        if isinstance(value, Unknown):
            return value
        if value.value is None:
            return Known(None, value.origin)
        if isinstance(value.value, str):
            text = value.value
            if is_aws_managed_dynamodb_key(text):
                return Known(AWS_MANAGED_DYNAMODB_ALIAS, value.origin)
            self.declared.kms_keys.setdefault(
                text,
                Unknown(
                    f"key {text} is not declared in the template: whether it is customer managed "
                    "cannot be told offline",
                    value.origin,
                ),
            )
            return Known(text, value.origin)
        ref = value.value
        block = self.blocks.get(ref.address)
        if block is None or depth > 3:
            return Unknown(f"{ref} is not a resource of the template", value.origin)
        if block.type == "AWS::KMS::Key":
            self._register(block)
            return Known(block.address, block.origin)
        if block.type == "AWS::KMS::Alias":
            return self.key_ref(ref_or_str_fact(block, "TargetKeyId"), depth + 1)
        return Unknown(f"{ref} ({block.type}) is not a KMS key", value.origin)

    def _register(self, block: Block) -> None:
        if block.address in self.declared.kms_keys:
            return
        enabled = bool_fact(block, "Enabled", True)
        state = ("Enabled" if enabled.value else "Disabled") if isinstance(enabled, Known) else None
        rotation = bool_fact(block, "EnableKeyRotation", False)
        self.declared.kms_keys[block.address] = Known(
            KmsKey(block.address, None, KeyManager.CUSTOMER, state, rotation, block.origin),
            block.origin,
        )
