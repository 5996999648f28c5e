"""Terraform sources: HCL (``.tf``, ``.tf.json``) evaluated with tfparse, and plan JSON.

Both are converted into ``Block`` values (``sources/iac/blocks.py``) and mapped into the model
by the same adapter (``adapter.py`` and the per-service ``map_*`` modules), so a plan and the
code it came from give the same verdicts.
"""
