"""Framework mappings of the baseline: one table, read by the catalog (``Control.frameworks``).

Where a control checks what an AWS Security Hub control checks, it inherits that control's
"Related requirements" as AWS publishes them (docs.aws.amazon.com/securityhub/latest/userguide/
dynamodb-controls.html, kms-controls.html, iam-controls.html): the NIST SP 800-53 Rev. 5, CIS
AWS Foundations and PCI DSS ids below are AWS's, not ours. A control with no counterpart maps to
nothing rather than to something that sounds close. Partial matches say so in a comment.

Every id is checked by a test against the frameworks' published id lists vendored in
``framework_ids/`` (each file names its source). NIST ids that no SP 800-53B baseline selects
(SC-5(2), SI-13(5), CA-9(1), SC-36, SC-7(10), SI-7(6), SC-12(2), SC-28(3), AC-3(7), AC-3(15))
could not be checked against the full catalog here and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping

FSBP = "AWS FSBP"
CONFIG = "AWS Config"
NIST = "NIST SP 800-53 Rev. 5"
CIS_V5 = "CIS AWS Foundations v5.0.0"
CIS_V3 = "CIS AWS Foundations v3.0.0"
PCI_V4 = "PCI DSS v4.0.1"
PCI_V3 = "PCI DSS v3.2.1"

# framework name -> the vendored file of its published ids
ID_LISTS = {
    FSBP: "aws_fsbp.txt",
    CONFIG: "aws_config_rules.txt",
    NIST: "nist_sp_800_53_r5.txt",
    CIS_V5: "cis_aws_foundations_v5_0_0.txt",
    CIS_V3: "cis_aws_foundations_v3_0_0.txt",
    PCI_V4: "pci_dss_v4.txt",
    PCI_V3: "pci_dss_v3_2_1.txt",
}

_PITR = {  # DynamoDB.2; a replica is a table in its own region, judged by the same rules
    FSBP: ("DynamoDB.2",),
    CONFIG: ("dynamodb-pitr-enabled",),
    NIST: ("CP-6(2)", "CP-9", "CP-10", "SI-12"),
}
_CMK = {CONFIG: ("dynamodb-table-encrypted-kms",)}

FRAMEWORKS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "DDB.001": _CMK,
    "DDB.002": _PITR,
    "DDB.003": {
        FSBP: ("DynamoDB.6",),
        CONFIG: ("dynamodb-table-deletion-protection-enabled",),
        NIST: ("CM-2", "CM-2(2)", "CM-3"),
    },
    "DDB.004": {
        FSBP: ("DynamoDB.1",),
        CONFIG: ("dynamodb-autoscaling-enabled",),
        NIST: ("CP-2(2)", "CP-6(2)", "CP-10"),
    },
    "DDB.005": {
        FSBP: ("DynamoDB.4",),
        CONFIG: ("dynamodb-resources-protected-by-backup-plan", "dynamodb-in-backup-plan"),
        NIST: ("CP-6", "CP-6(1)", "CP-6(2)", "CP-9", "CP-10", "SI-12"),
    },
    "DDB.007": {
        FSBP: ("DynamoDB.3",),
        CONFIG: ("dax-encryption-enabled",),
        NIST: ("CM-3(6)", "SC-13", "SC-28", "SC-28(1)"),
    },
    "DDB.008": {
        FSBP: ("DynamoDB.7",),
        CONFIG: ("dax-tls-endpoint-encryption",),
        NIST: ("AC-17", "SC-8", "SC-13", "SC-23"),
        PCI_V4: ("4.2.1",),
    },
    "DDB.010": _CMK,
    "DDB.011": _PITR,
    # IAM.21 fails any "service:*" action; DDB.012 judges DynamoDB's only (a part of IAM.21).
    "DDB.012": {
        FSBP: ("IAM.21",),
        CONFIG: ("iam-policy-no-statements-with-full-access",),
        NIST: ("AC-2", "AC-2(1)", "AC-3", "AC-5", "AC-6", "AC-6(2)", "AC-6(3)", "AC-6(10)"),
    },
    "DDB.015": {CONFIG: ("service-vpc-endpoint-enabled",)},
    # KMS.4 is rotation; DDB.016 also requires the key to be enabled.
    "DDB.016": {
        FSBP: ("KMS.4",),
        CONFIG: ("cmk-backing-key-rotation-enabled",),
        NIST: ("SC-12",),
        CIS_V5: ("3.6",),
        CIS_V3: ("3.6",),
        PCI_V4: ("3.7.4",),
        PCI_V3: ("3.6.4",),
    },
    # Security Hub's DynamoDB.5 (tagged) belongs to the AWS Resource Tagging Standard, not FSBP.
    "DDB.017": {CONFIG: ("required-tags",)},
}


def frameworks_of(control_id: str) -> dict[str, tuple[str, ...]]:
    """The mappings of one control (empty when it has none)."""
    return dict(FRAMEWORKS.get(control_id, {}))
