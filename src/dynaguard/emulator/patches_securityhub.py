"""Security Hub gaps. See :mod:`.patches`.

SHB-1 BatchUpdateFindings is not implemented (404) -> updates Workflow, Note, Severity,
     VerificationState, Confidence, Criticality, Types and UserDefinedFields of the findings
     named by Id + ProductArn, sets UpdatedAt; unknown ones are UnprocessedFindings
     (FindingNotFound)
https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchUpdateFindings.html

Not patched (documented): GetFindings ignores Filters and SortCriteria (dynaguard filters the
returned findings itself), and a re-import through BatchImportFindings may change Workflow,
which AWS ignores after a finding is created (dynaguard never relies on it).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

_UPDATABLE = (
    "Note",
    "Severity",
    "VerificationState",
    "Confidence",
    "Criticality",
    "Types",
    "UserDefinedFields",
    "Workflow",
)


def install() -> None:
    from moto.securityhub import urls
    from moto.securityhub.responses import SecurityHubResponse

    urls.url_paths["{0}/findings/batchupdate$"] = SecurityHubResponse.dispatch
    response_cls: Any = SecurityHubResponse
    response_cls.batch_update_findings = _batch_update_findings


def _batch_update_findings(self: Any) -> str:
    body = json.loads(self.body or "{}")
    backend = self.securityhub_backend
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    processed, unprocessed = [], []
    for ident in body.get("FindingIdentifiers", []):
        found = next(
            (
                f
                for f in backend.findings
                if f.id == ident.get("Id") and f.data.get("ProductArn") == ident.get("ProductArn")
            ),
            None,
        )
        if found is None:
            unprocessed.append(
                {
                    "FindingIdentifier": ident,
                    "ErrorCode": "FindingNotFound",
                    "ErrorMessage": "Finding Not Found",
                }
            )
            continue
        for key in _UPDATABLE:
            if key in body:
                found.data[key] = body[key]
        found.data["UpdatedAt"] = now
        processed.append(ident)
    return json.dumps({"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})
