"""AWS Backup gaps: backup selections (resource assignments) and Region settings. See
:mod:`.patches`.

Shapes follow botocore's ``backup`` model: CreateBackupSelection (PUT
/backup/plans/{id}/selections/), GetBackupSelection and DeleteBackupSelection
(/backup/plans/{id}/selections/{selectionId}), ListBackupSelections (GET .../selections/).
moto already routes these paths to its BackupResponse; only the methods were missing.
DescribeRegionSettings (GET /account-settings) and UpdateRegionSettings (PUT) are neither routed
nor implemented: the path is added and the settings kept per account and Region, starting as
AWS starts an account that uses AWS Backup (every resource type opted in; advanced DynamoDB
features off).
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeRegionSettings.html
"""

from __future__ import annotations

import json
import re
from typing import Any

_NAME = re.compile(r"^[a-zA-Z0-9\-_.]{1,50}$")
_CONDITION_KINDS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")


def install() -> None:
    from moto.backup.responses import BackupResponse

    response_cls: Any = BackupResponse
    response_cls.create_backup_selection = _create_backup_selection
    response_cls.get_backup_selection = _get_backup_selection
    response_cls.list_backup_selections = _list_backup_selections
    response_cls.delete_backup_selection = _delete_backup_selection
    response_cls.describe_region_settings = _describe_region_settings
    response_cls.update_region_settings = _update_region_settings
    _patch_delete_backup_plan()
    _route_account_settings()


# Resource types an account is opted in to once it uses AWS Backup in a Region (a subset of
# what AWS lists; DynamoDB is what dynaguard reads).
DEFAULT_OPT_IN = (
    "Aurora",
    "DocumentDB",
    "DynamoDB",
    "EBS",
    "EC2",
    "EFS",
    "FSx",
    "Neptune",
    "RDS",
    "S3",
    "Storage Gateway",
    "VirtualMachine",
)
DEFAULT_MANAGEMENT = {"DynamoDB": False, "EFS": True}


def _route_account_settings() -> None:
    from moto.backup import urls
    from moto.backup.responses import BackupResponse

    urls.url_paths.setdefault("{0}/account-settings$", BackupResponse.dispatch)


def _region_settings(backend: Any) -> dict[str, dict[str, bool]]:
    settings: dict[str, dict[str, bool]] = backend.__dict__.setdefault(
        "_dynaguard_region_settings",
        {
            "ResourceTypeOptInPreference": dict.fromkeys(DEFAULT_OPT_IN, True),
            "ResourceTypeManagementPreference": dict(DEFAULT_MANAGEMENT),
        },
    )
    return settings


def _describe_region_settings(self: Any) -> str:
    return json.dumps(_region_settings(self.backup_backend))


def _update_region_settings(self: Any) -> str:
    params = json.loads(self.body or "{}")
    settings = _region_settings(self.backup_backend)
    for field in ("ResourceTypeOptInPreference", "ResourceTypeManagementPreference"):
        given = params.get(field) or {}
        if not all(isinstance(v, bool) for v in given.values()):
            raise _invalid(f"{field} values must be booleans")
        settings[field].update(given)
    return ""


def _patch_delete_backup_plan() -> None:
    """AWS refuses to delete a plan that still has selections."""
    from moto.backup.exceptions import InvalidRequestException
    from moto.backup.models import BackupBackend

    backend_cls: Any = BackupBackend
    original = backend_cls.delete_backup_plan

    def delete_backup_plan(self: Any, backup_plan_id: str) -> Any:
        if self.__dict__.get("_dynaguard_selections", {}).get(backup_plan_id):
            raise InvalidRequestException(
                msg="Related backup plan selections must be deleted prior to backup plan deletion"
            )
        return original(self, backup_plan_id)

    backend_cls.delete_backup_plan = delete_backup_plan


def _selections(backend: Any, plan_id: str) -> dict[str, dict[str, Any]]:
    """The selections of one live plan, kept on the (per account and region) backend."""
    from moto.backup.exceptions import ResourceNotFoundException

    plan = backend.plans.get(plan_id)
    if plan is None or plan.deletion_date is not None:
        raise ResourceNotFoundException(msg=f"Backup plan {plan_id} not found")
    store: dict[str, dict[str, dict[str, Any]]] = backend.__dict__.setdefault(
        "_dynaguard_selections", {}
    )
    return store.setdefault(plan_id, {})


def _path_ids(response: Any) -> tuple[str, str | None]:
    match = re.search(r"/backup/plans/([^/]+)/selections/?([^/]*)/?$", response.path)
    if match is None:
        raise ValueError(f"not a backup selection path: {response.path}")
    return match.group(1), match.group(2) or None


def _invalid(message: str) -> Exception:
    from moto.backup.exceptions import InvalidParameterValueException

    return InvalidParameterValueException(msg=message)


def _normalise(selection: dict[str, Any]) -> dict[str, Any]:
    """The selection as GetBackupSelection returns it: every list present, maybe empty."""
    name = selection.get("SelectionName") or ""
    if not _NAME.match(name):
        raise _invalid(f"Invalid SelectionName: {name!r}")
    if not selection.get("IamRoleArn", "").startswith("arn:"):
        raise _invalid("IamRoleArn must be an IAM role ARN")
    conditions = selection.get("Conditions") or {}
    return {
        "SelectionName": name,
        "IamRoleArn": selection["IamRoleArn"],
        "Resources": list(selection.get("Resources") or []),
        "NotResources": list(selection.get("NotResources") or []),
        "ListOfTags": [dict(c) for c in selection.get("ListOfTags") or []],
        "Conditions": {kind: list(conditions.get(kind) or []) for kind in _CONDITION_KINDS},
    }


def _create_backup_selection(self: Any) -> str:
    from moto.core.utils import unix_time
    from moto.moto_api._internal import mock_random

    plan_id, _ = _path_ids(self)
    params = json.loads(self.body or "{}")
    selections = _selections(self.backup_backend, plan_id)
    selection = _normalise(params.get("BackupSelection") or {})
    if any(
        s["BackupSelection"]["SelectionName"] == selection["SelectionName"]
        for s in selections.values()
    ):
        from moto.backup.exceptions import AlreadyExistsException

        raise AlreadyExistsException(msg=f"Selection {selection['SelectionName']} exists")
    selection_id = str(mock_random.uuid4())
    selections[selection_id] = {
        "SelectionId": selection_id,
        "BackupPlanId": plan_id,
        "CreationDate": unix_time(),
        "CreatorRequestId": params.get("CreatorRequestId"),
        "BackupSelection": selection,
    }
    record = selections[selection_id]
    return json.dumps({k: record[k] for k in ("SelectionId", "BackupPlanId", "CreationDate")})


def _get_record(self: Any) -> tuple[dict[str, dict[str, Any]], str]:
    from moto.backup.exceptions import ResourceNotFoundException

    plan_id, selection_id = _path_ids(self)
    selections = _selections(self.backup_backend, plan_id)
    if selection_id is None or selection_id not in selections:
        raise ResourceNotFoundException(msg=f"Backup selection {selection_id} not found")
    return selections, selection_id


def _get_backup_selection(self: Any) -> str:
    selections, selection_id = _get_record(self)
    record = {k: v for k, v in selections[selection_id].items() if v is not None}
    return json.dumps(record)


def _delete_backup_selection(self: Any) -> str:
    selections, selection_id = _get_record(self)
    del selections[selection_id]
    return ""


def _list_backup_selections(self: Any) -> str:
    plan_id, _ = _path_ids(self)
    selections = list(_selections(self.backup_backend, plan_id).values())
    query = self.querystring
    max_results = int((query.get("maxResults") or ["1000"])[0])
    start = int((query.get("nextToken") or ["0"])[0])
    page = selections[start : start + max_results]
    members = []
    for record in page:
        member = {
            "SelectionId": record["SelectionId"],
            "SelectionName": record["BackupSelection"]["SelectionName"],
            "BackupPlanId": plan_id,
            "CreationDate": record["CreationDate"],
            "IamRoleArn": record["BackupSelection"]["IamRoleArn"],
        }
        if record["CreatorRequestId"]:
            member["CreatorRequestId"] = record["CreatorRequestId"]
        members.append(member)
    result: dict[str, Any] = {"BackupSelectionsList": members}
    if start + max_results < len(selections):
        result["NextToken"] = str(start + max_results)
    return json.dumps(result)
