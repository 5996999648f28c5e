"""Text rewrites that make tfparse evaluate what Terraform would, applied to a scratch copy.

Two gaps of tfparse (Trivy's evaluator) make it lose values a reader of the code knows:

- **dynamic blocks.** ``getChildBlocks`` in tfparse's converter tells the blocks a ``dynamic``
  block generated from the static ones by their line numbers, and keeps at most ``n - 1`` of
  the ``n`` generated blocks that start before the end of a static sibling: a resource whose
  ``dynamic "replica"`` comes before ``server_side_encryption`` or ``timeouts`` silently loses
  its last replica (the terraform-aws-modules DynamoDB table module with one replica region
  came out as "not a global table"). tfparse counts the ``for_each`` items of every dynamic
  block, also of one without ``content`` (which generates nothing), so such a block beside each
  dynamic block (``dynamic "dynaguard_pad" { for_each = [1] }``) lifts the count and nothing
  is dropped.
- **data sources every module reads.** ``data.aws_partition.x.partition``,
  ``data.aws_region.x.name`` and ``data.aws_caller_identity.x.account_id`` have no value
  offline, and an unknown value inside ``jsonencode({...})`` makes tfparse drop the whole
  ``Statement`` list of a policy. They are given the values the rest of dynaguard uses: the
  ``aws`` partition, the provider's region (the same region label tables carry) and the
  deploying-account stand-in (``IAC_ACCOUNT``).

``rewritten`` returns the new text and the numbers of the lines it inserted, so every line
number tfparse reports is mapped back to the user's file (``parse_mirror.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dynaguard.sources.iac.declared import IAC_ACCOUNT
from dynaguard.sources.terraform.expressions import block_attribute, child_blocks, mask

PAD = 'dynamic "dynaguard_pad" { for_each = [1] }'
_DYNAMIC_LINE = re.compile(r"^(\s*)dynamic\s+\"[^\"]+\"\s*\{")
_KNOWN_DATA = re.compile(r'^\s*data\s+"(aws_partition|aws_region|aws_caller_identity)"\s+"[^"]+"')
_ANY_KNOWN_DATA = re.compile(r'data\s+"aws_(partition|region|caller_identity)"')
_PROVIDER_AWS = re.compile(r'^\s*provider\s+"aws"\s*\{')


def known_data_values(kind: str, region: str) -> dict[str, str]:
    """The attributes a well-known data source is given (see the module docstring)."""
    return {
        "aws_partition": {
            "partition": "aws",
            "dns_suffix": "amazonaws.com",
            "reverse_dns_prefix": "com.amazonaws",
        },
        "aws_region": {"name": region, "region": region},
        "aws_caller_identity": {"account_id": IAC_ACCOUNT},
    }[kind]


def provider_region(texts: Sequence[str]) -> str | None:
    """The literal ``region`` of the default (alias-less) ``provider "aws"`` block."""
    for text in texts:
        if 'provider "aws"' not in text and "provider aws" not in text:
            continue
        lines = text.split("\n")
        for opening, first, last in child_blocks(["{", *lines, "}"], 1, len(lines) + 2):
            if not _PROVIDER_AWS.match(opening):
                continue
            start, end = first - 1, last - 1
            if block_attribute(lines, start, end, "alias") is not None:
                continue
            region = block_attribute(lines, start, end, "region")
            if region is not None and re.fullmatch(r'"[a-z0-9-]+"', region.text):
                return region.text.strip('"')
    return None


def _data_insertions(lines: list[str], region: str) -> dict[int, tuple[str, list[str]]]:
    """For each well-known data block: its opening line index (0-based) -> (the opening line
    as rewritten, the lines to insert after it)."""
    out: dict[int, tuple[str, list[str]]] = {}
    for opening, first, last in child_blocks(["{", *lines, "}"], 1, len(lines) + 2):
        match = _KNOWN_DATA.match(opening)
        if match is None:
            continue
        start, end = first - 1, last - 1
        values = known_data_values(match.group(1), region)
        if any(block_attribute(lines, start, end, name) for name in values):
            continue  # a lookup (data "aws_region" "x" { name = ... }): already known
        added = [f'  {name} = "{value}"' for name, value in values.items()]
        out[start - 1] = (lines[start - 1], added)
    return out


def _one_line_blocks(lines: list[str], region: str) -> dict[int, tuple[str, list[str]]]:
    """Data blocks written ``data "aws_partition" "current" {}`` are not seen by
    ``child_blocks`` (their brace opens and closes on one line): find those here."""
    out: dict[int, tuple[str, list[str]]] = {}
    hidden = mask("\n".join(lines)).split("\n")
    for index, (line, masked) in enumerate(zip(lines, hidden, strict=True)):
        match = _KNOWN_DATA.match(line)
        if match and re.search(r"\{\s*\}\s*$", masked) and masked.lstrip().startswith("data"):
            values = known_data_values(match.group(1), region)
            added = [f'  {name} = "{value}"' for name, value in values.items()]
            out[index] = (line[: line.rindex("{") + 1], [*added, "}"])
    return out


def rewritten(text: str, region: str) -> tuple[str, list[int]]:
    """``text`` with both rewrites, and the (1-based) numbers of the inserted lines."""
    lines = text.split("\n")
    insertions = {}
    if _ANY_KNOWN_DATA.search(text):
        insertions = {**_one_line_blocks(lines, region), **_data_insertions(lines, region)}
    if not insertions and "dynamic" not in text:
        return text, []
    masked = mask(text).split("\n")
    out: list[str] = []
    inserted: list[int] = []
    for index, (raw, hidden) in enumerate(zip(lines, masked, strict=True)):
        match = _DYNAMIC_LINE.match(raw)
        if match and hidden.lstrip().startswith("dynamic"):  # not in a heredoc or comment
            out.append(match.group(1) + PAD)
            inserted.append(len(out))
        if index in insertions:
            head, added = insertions[index]
            out.append(head)
            for extra in added:
                out.append(extra)
                inserted.append(len(out))
            continue
        out.append(raw)
    return "\n".join(out), inserted


def needs_rewrite(text: str) -> bool:
    """Whether ``rewritten`` would change anything (a cheap test on the raw text)."""
    return "dynamic" in text or bool(_ANY_KNOWN_DATA.search(text))
