"""What the Terraform mappers share: blocks by address, provider regions, KMS key resolution.

KMS references are resolved here, once, into ``RegionScope.kms_keys`` under the reference
string the table uses:

- ``aws_kms_key.x`` (``.arn``, ``.key_id``, or through an ``aws_kms_alias`` resource targeting
  it) is a customer managed key; its rotation is ``enable_key_rotation`` (default false) and it
  is Disabled when ``is_enabled = false``;
- ``aws_kms_replica_key.x`` (a multi-Region replica) is Disabled when ``enabled = false``; KMS
  keeps its automatic rotation in step with its primary key's, so its rotation is the primary
  ``aws_kms_key``'s ``enable_key_rotation`` when ``primary_key_arn`` references one declared
  here, else Unknown (the primary is in another stack, or a literal ARN);
- ``alias/aws/dynamodb`` (also as an alias ARN), and ``data.aws_kms_alias`` /
  ``data.aws_kms_key`` naming it, are the AWS managed key (DDB.001 fails it under ``cmk``);
- a literal key ARN or a data source for another key is not declared here: its manager cannot
  be told offline, so it is Unknown with the expression, never assumed customer managed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dynaguard.model import (
    AWS_MANAGED_DYNAMODB_ALIAS,
    Fact,
    KeyManager,
    KmsKey,
    Known,
    Origin,
    Unknown,
    is_aws_managed_dynamodb_key,
)
from dynaguard.sources.iac.blocks import Block, Ref
from dynaguard.sources.iac.declared import Declared
from dynaguard.sources.iac.values import bool_fact, ref_or_str_fact, str_fact

_CUSTOMER_KEY_TYPES = ("aws_kms_key", "aws_kms_replica_key", "aws_kms_external_key")


@dataclass(slots=True)
class TfContext:
    declared: Declared
    blocks: dict[str, Block] = field(default_factory=dict)
    by_type: dict[str, list[Block]] = field(default_factory=dict)
    provider_regions: dict[str, str] = field(default_factory=dict)  # "aws" / "aws.west"
    default_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # tfparse block id -> address

    @classmethod
    def of(
        cls, blocks: Iterable[Block], declared: Declared, ids: dict[str, str] | None = None
    ) -> TfContext:
        ctx = cls(declared, ids=dict(ids or {}))
        for block in blocks:
            if block.mode == "provider":
                ctx._provider(block)
                continue
            ctx.blocks[block.address] = block
            ctx.by_type.setdefault(_typed_key(block), []).append(block)
        declared.region = ctx.provider_regions.get("aws", declared.region)
        return ctx

    def _provider(self, block: Block) -> None:
        if block.type != "aws":
            return
        alias = str_fact(block, "alias", None)
        name = f"aws.{alias.value}" if isinstance(alias, Known) and alias.value else "aws"
        name = f"{block.module_prefix}{name}" if block.module_prefix and name != "aws" else name
        region = str_fact(block, "region", None)
        if isinstance(region, Known) and region.value:
            self.provider_regions[name] = region.value
        tags_block = block.block("default_tags")
        if tags_block is not None:
            tags = tags_block.raw("tags")
            if isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values()):
                self.default_tags[name] = dict(tags)

    def of_type(self, kind: str, mode: str = "resource") -> list[Block]:
        return self.by_type.get(f"{mode}:{kind}", [])

    def provider_name(self, block: Block) -> str:
        raw = block.raw("provider")
        return str(raw) if isinstance(raw, Ref) else "aws"

    def region_of(self, block: Block) -> str:
        """The block's ``region`` argument (AWS provider 6 sets a region per resource,
        https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/enhanced-region-support),
        else its provider's region."""
        own = str_fact(block, "region", None)
        if isinstance(own, Known) and own.value:
            return own.value
        return self.provider_regions.get(self.provider_name(block), self.declared.region)

    def resolve(self, ref: Ref) -> Block | None:
        return self.blocks.get(ref.address) or self.blocks.get(ref.address.split("[")[0])

    # --- KMS ---------------------------------------------------------------------------

    def key_ref(self, value: Fact[Ref | str | None]) -> Fact[str | None]:
        """The key reference a table or replica uses; None is the AWS managed key."""
        if isinstance(value, Unknown):
            return value
        if value.value is None:
            return Known(None, value.origin)
        if isinstance(value.value, str):
            return self._literal_key(value.value, value.origin)
        return self._referenced_key(value.value, value.origin, depth=0)

    def _literal_key(self, text: str, origin: Origin | None) -> Fact[str | None]:
        if is_aws_managed_dynamodb_key(text):
            return Known(AWS_MANAGED_DYNAMODB_ALIAS, origin)
        for alias in self.of_type("aws_kms_alias"):
            name = str_fact(alias, "name", None)
            if isinstance(name, Known) and name.value == text:
                return self.key_ref(ref_or_str_fact(alias, "target_key_id"))
        if text not in self.declared.kms_keys:
            self.declared.kms_keys[text] = Unknown(
                f"key {text} is not declared in the scanned code: whether it is customer "
                "managed cannot be told offline",
                origin,
            )
        return Known(text, origin)

    def _referenced_key(self, ref: Ref, origin: Origin | None, depth: int) -> Fact[str | None]:
        block = self.resolve(ref)
        if block is None or depth > 3:
            return Unknown(f"{ref} is not declared in the scanned code", origin)
        if block.mode == "resource" and block.type in _CUSTOMER_KEY_TYPES:
            self._register_customer_key(block)
            return Known(block.address, block.origin)
        if block.type == "aws_kms_alias" and block.mode == "resource":
            target = ref_or_str_fact(block, "target_key_id")
            return self.key_ref(target) if depth < 3 else Unknown(f"{ref}: alias loop", origin)
        if block.mode == "data" and block.type in ("aws_kms_alias", "aws_kms_key"):
            attr = "name" if block.type == "aws_kms_alias" else "key_id"
            looked_up = ref_or_str_fact(block, attr)
            if isinstance(looked_up, Known) and isinstance(looked_up.value, str):
                if is_aws_managed_dynamodb_key(looked_up.value):
                    return Known(AWS_MANAGED_DYNAMODB_ALIAS, block.origin)
                return self._literal_key(looked_up.value, block.origin)
            return self.key_ref(looked_up)
        return Unknown(f"{ref} ({block.type}) is not a KMS key", origin)

    def _register_customer_key(self, block: Block) -> None:
        if block.address in self.declared.kms_keys:
            return
        # aws_kms_key says is_enabled; aws_kms_replica_key and aws_kms_external_key say enabled
        enabled_attr = "is_enabled" if block.type == "aws_kms_key" else "enabled"
        enabled = bool_fact(block, enabled_attr, True)
        state = ("Enabled" if enabled.value else "Disabled") if isinstance(enabled, Known) else None
        rotation: Fact[bool]
        if block.type == "aws_kms_key":
            rotation = bool_fact(block, "enable_key_rotation", False)
        elif block.type == "aws_kms_external_key":
            rotation = Known(False, block.origin)  # imported key material never rotates
        else:
            rotation = self._replica_key_rotation(block)
        self.declared.kms_keys[block.address] = Known(
            KmsKey(block.address, None, KeyManager.CUSTOMER, state, rotation, block.origin),
            block.origin,
        )

    def _replica_key_rotation(self, block: Block) -> Fact[bool]:
        """KMS keeps a multi-Region replica's automatic rotation in step with its primary's:
        the primary's ``enable_key_rotation`` when the primary is declared here."""
        primary = ref_or_str_fact(block, "primary_key_arn")
        if isinstance(primary, Unknown):
            return Unknown(
                f"a replica key rotates with its primary key, and {primary.reason}", primary.origin
            )
        target = self.resolve(primary.value) if isinstance(primary.value, Ref) else None
        if target is not None and target.mode == "resource" and target.type == "aws_kms_key":
            rotation = bool_fact(target, "enable_key_rotation", False)
            if isinstance(rotation, Unknown):
                return Unknown(f"primary key {target.address}: {rotation.reason}", rotation.origin)
            return Known(rotation.value, target.origin)
        shown = primary.value if primary.value is not None else "not set"
        return Unknown(
            f"a replica key rotates with its primary key, and the primary (primary_key_arn = "
            f"{shown}) is not declared in the scanned code",
            block.origin,
        )


def _typed_key(block: Block) -> str:
    return f"{'data' if block.mode == 'data' else 'resource'}:{block.type}"
