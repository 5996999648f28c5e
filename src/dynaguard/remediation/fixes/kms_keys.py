"""DDB.016: automatic rotation on for customer managed keys in use. A key that is disabled or
pending deletion is MANUAL: enabling it is an owner's decision.
https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html
"""

from __future__ import annotations

from dynaguard.controls.subjects import KeyUse
from dynaguard.model import KeyManager, Known
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import ApiStep, Change, Manual, ResourceRef, Skip
from dynaguard.remediation.registry import register
from dynaguard.remediation.steps import StepRunner


def key_ref(use: KeyUse) -> ResourceRef:
    return ResourceRef("kms_key", use.key_ref, use.region, use.account_id)


def plan(use: KeyUse, live: LiveState, options: Options) -> PlanResult:
    if not isinstance(use.key, Known) or use.key.value.manager is not KeyManager.CUSTOMER:
        return Skip("DDB.016", key_ref(use), "not a described customer managed key")
    key = use.key.value
    key_id = key.arn or use.key_ref
    if key.state != "Enabled":
        return Manual(
            "DDB.016",
            key_ref(use),
            f"key is {key.state}: tables using it ({', '.join(use.used_by)}) cannot be read",
            (
                f"aws kms cancel-key-deletion --key-id {key_id}  # if PendingDeletion",
                f"aws kms enable-key --key-id {key_id}",
            ),
        )
    step = ApiStep("kms:EnableKeyRotation", use.region, {"KeyId": key_id}, "none")
    undo = ApiStep("kms:DisableKeyRotation", use.region, {"KeyId": key_id}, "none")
    return Change(
        "DDB.016",
        key_ref(use),
        "rotation off",
        "rotation on",
        (step,),
        (undo,),
        {"rotation": False},
    )


def verify(change: Change, runner: StepRunner) -> str | None:
    key_id = change.steps[0].params["KeyId"]
    status = runner.read("kms:GetKeyRotationStatus", change.resource.region, KeyId=key_id)
    return None if status.get("KeyRotationEnabled") else "rotation still off"


register(
    Remediation(
        "DDB.016",
        "kms_key",
        "enable automatic rotation of the customer managed key",
        ("kms:EnableKeyRotation", "kms:GetKeyRotationStatus"),
        ("Enabled",),
        plan,
        verify=verify,
    )
)
