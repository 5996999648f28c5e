"""Every framework id the catalog maps to is a published id of that framework.

The lists are vendored in src/dynaguard/controls/framework_ids/, each with its source.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest

from dynaguard.controls.frameworks import FRAMEWORKS, ID_LISTS, NIST, frameworks_of
from dynaguard.controls.registry import INLINE_FRAMEWORKS, all_controls, control_ids

MAPPED = sorted(
    (cid, fw, ident)
    for cid, mapping in FRAMEWORKS.items()
    for fw, idents in mapping.items()
    for ident in idents
)


def published_ids(framework: str) -> frozenset[str]:
    """The vendored list of a framework's published ids (comment lines start with ``#``)."""
    text = (
        resources.files("dynaguard.controls")
        .joinpath("framework_ids", ID_LISTS[framework])
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@pytest.mark.parametrize(("control_id", "framework", "ident"), MAPPED)
def test_mapped_id_is_published_by_its_framework(control_id, framework, ident):
    assert framework in ID_LISTS, f"{control_id}: no published list for {framework!r}"
    assert ident in published_ids(framework), f"{control_id}: {framework} has no {ident!r}"


def test_every_list_has_its_source_and_plausible_ids():
    for framework in ID_LISTS:
        ids = published_ids(framework)
        assert len(ids) >= 15, framework
    nist = published_ids(NIST)
    assert all(re.fullmatch(r"[A-Z]{2}-\d+(\(\d+\))?", i) for i in nist)
    assert {"CP-9", "SC-28(1)", "AC-6(10)"} <= nist
    assert "SC-28(3)" not in nist  # in no baseline: why it is left out of the mappings


def test_a_made_up_id_is_rejected_by_the_lists():
    assert "DynamoDB.99" not in published_ids("AWS FSBP")
    assert "dynamodb-table-tagged" not in published_ids("AWS Config")


def test_mapped_controls_exist_and_the_catalog_reads_the_table():
    assert set(FRAMEWORKS) <= set(control_ids())
    for control in all_controls():
        for framework, idents in frameworks_of(control.id).items():
            assert control.frameworks[framework] == idents


def test_inline_mappings_agree_with_the_central_table():
    """A mapping written in a control module must not contradict controls/frameworks.py:
    move it into the table."""
    for control_id, inline in INLINE_FRAMEWORKS.items():
        central = frameworks_of(control_id)
        for framework, value in inline.items():
            if framework in ID_LISTS:
                ident = re.sub(r"\s*\(.*\)$", "", value)  # "IAM.21 (partly)"
                assert ident in central.get(framework, ()), (control_id, framework, value)
