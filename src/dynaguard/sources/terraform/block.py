"""Terraform's name for the shared declared block (``sources/iac/blocks.py``) and its typed
accessors (``sources/iac/values.py``): kept so code written against this module keeps working;
new code imports from ``sources/iac``."""

from dynaguard.sources.iac.blocks import Block as TfBlock
from dynaguard.sources.iac.blocks import Ref, first_unknown
from dynaguard.sources.iac.values import (
    bool_fact,
    int_fact,
    int_or_float,
    known_strings,
    ref_or_str_fact,
    str_fact,
    str_map_fact,
)

__all__ = [
    "Ref",
    "TfBlock",
    "bool_fact",
    "first_unknown",
    "int_fact",
    "int_or_float",
    "known_strings",
    "ref_or_str_fact",
    "str_fact",
    "str_map_fact",
]
