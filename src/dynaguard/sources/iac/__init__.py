"""Shared by the infrastructure-code sources (Terraform, plan JSON, CloudFormation).

Discovery of input files, inline suppressions, input problems (files that do not parse), the
``Declared`` collector both adapters fill, and ``scan_iac``: the library entry point of
``dynaguard iac``.
"""
