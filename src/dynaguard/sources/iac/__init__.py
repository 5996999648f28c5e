"""Shared by the infrastructure-code sources (Terraform, plan JSON, CloudFormation).

Discovery of input files, inline suppressions, input problems (files that do not parse), the
``Declared`` collector both adapters fill, the declared resource both build (``blocks.py``:
``Block``, ``Ref``) with its typed reads and AWS defaults (``values.py``), how paths are shown
(``paths.py``), and ``load_units`` (``load.py``): every unit of code under some paths, read in
worker processes under limits. ``dynaguard.iac_scan.scan_iac`` judges what it reads.
"""
