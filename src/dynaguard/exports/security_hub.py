"""``scan --security-hub``: import the findings into AWS Security Hub and keep them current.

For each region (a finding's own; global IAM findings go to the first scanned region):

1. read the dynaguard findings already there (GetFindings; dynaguard checks ProductArn,
   GeneratorId and RecordState itself too, as an emulator may ignore the filters);
2. BatchImportFindings the run's findings in batches of at most 100, each keeping the
   CreatedAt of its earlier import (same ``Id``: the same control and resource);
3. a finding Security Hub still shows as ACTIVE for this scope and one of the run's controls,
   whose resource the run no longer reports (deleted table, ...), is re-imported ARCHIVED;
4. a finding that passes now and was imported failing (or unresolved) before gets Workflow
   RESOLVED with BatchUpdateFindings (BatchImportFindings cannot change Workflow after the
   finding exists: https://docs.aws.amazon.com/securityhub/1.0/APIReference/
   API_BatchImportFindings.html).

Throttling: botocore's retries on the calls, plus up to ``retries`` rounds for records that a
batch reports failed with a throttling or internal error code. Records that still fail are
returned with their error, never dropped silently. Only findings of the calling account can be
imported into its default product; others are reported as skipped.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.formats.asff import home_region_of, product_arn, scope_field, to_asff
from dynaguard.report import Report, utc_now

BATCH = 100  # BatchImportFindings and BatchUpdateFindings accept at most 100 findings
RETRYABLE = ("Throttling", "ThrottlingException", "TooManyRequestsException", "InternalException")
ClientFor = Callable[[str], Any]  # region -> securityhub client


@dataclass
class ExportResult:
    imported: int = 0
    archived: int = 0
    resolved: int = 0
    skipped: list[str] = field(default_factory=list)  # why a finding was not imported
    failed: list[dict[str, str]] = field(default_factory=list)  # Id, ErrorCode, ErrorMessage
    regions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "archived": self.archived,
            "resolved": self.resolved,
            "skipped": self.skipped,
            "failed": self.failed,
            "regions": self.regions,
        }

    def summary(self) -> str:
        text = (
            f"Security Hub ({', '.join(self.regions) or 'no region'}): {self.imported} imported, "
            f"{self.resolved} resolved, {self.archived} archived"
        )
        if self.failed:
            text += f", {len(self.failed)} failed"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text


def _batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_findings(client: Any, product: str, scope: str) -> dict[str, dict[str, Any]]:
    """ACTIVE dynaguard findings of ``product`` and ``scope`` in the client's region, by Id."""
    filters = {
        "ProductArn": [{"Value": product, "Comparison": "EQUALS"}],
        "GeneratorId": [{"Value": "dynaguard/", "Comparison": "PREFIX"}],
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    }
    found: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("get_findings").paginate(
        Filters=filters, PaginationConfig={"PageSize": 100}
    ):
        for finding in page.get("Findings", []):
            if (
                finding.get("ProductArn") == product
                and str(finding.get("GeneratorId", "")).startswith("dynaguard/")
                and finding.get("RecordState", "ACTIVE") == "ACTIVE"
                and finding.get("ProductFields", {}).get("dynaguard/scope") == scope_field(scope)
            ):
                found[finding["Id"]] = finding
    return found


def _import(
    client: Any, findings: Sequence[dict[str, Any]], retries: int, pause_s: float
) -> tuple[int, list[dict[str, str]]]:
    """Import in batches; re-send records that failed with a retryable code."""
    imported = 0
    failed: list[dict[str, str]] = []
    for batch in _batches(findings):
        pending = list(batch)
        for attempt in range(retries + 1):
            response = client.batch_import_findings(Findings=pending)
            imported += int(response.get("SuccessCount", 0))
            errors = {f["Id"]: f for f in response.get("FailedFindings", [])}
            retry = [f for f in pending if errors.get(f["Id"], {}).get("ErrorCode") in RETRYABLE]
            final = [e for i, e in errors.items() if i not in {f["Id"] for f in retry}]
            failed += [
                {
                    "Id": e.get("Id", ""),
                    "ErrorCode": str(e.get("ErrorCode", "")),
                    "ErrorMessage": str(e.get("ErrorMessage", "")),
                }
                for e in final
            ]
            if not retry:
                break
            if attempt == retries:
                failed += [
                    {
                        "Id": f["Id"],
                        "ErrorCode": errors[f["Id"]]["ErrorCode"],
                        "ErrorMessage": f"still failing after {retries} retries",
                    }
                    for f in retry
                ]
                break
            time.sleep(pause_s * (2**attempt))
            pending = retry
    return imported, failed


def _resolve(
    client: Any, identifiers: Sequence[Mapping[str, str]]
) -> tuple[int, list[dict[str, str]]]:
    done, failed = 0, []
    for batch in _batches(identifiers):
        response = client.batch_update_findings(
            FindingIdentifiers=list(batch),
            Workflow={"Status": "RESOLVED"},
            Note={"Text": "passes the dynaguard control now", "UpdatedBy": "dynaguard"},
        )
        done += len(response.get("ProcessedFindings", []))
        failed += [
            {
                "Id": u.get("FindingIdentifier", {}).get("Id", ""),
                "ErrorCode": str(u.get("ErrorCode", "")),
                "ErrorMessage": str(u.get("ErrorMessage", "")),
            }
            for u in response.get("UnprocessedFindings", [])
        ]
    return done, failed


def _needs_resolving(before: Mapping[str, Any] | None) -> bool:
    if before is None:
        return False
    was_failing = before.get("Compliance", {}).get("Status") in ("FAILED", "WARNING")
    return was_failing or before.get("Workflow", {}).get("Status") not in ("RESOLVED", None)


def export_report(
    report: Report,
    client_for: ClientFor,
    account_id: str,
    *,
    retries: int = 4,
    pause_s: float = 0.5,
) -> ExportResult:
    """Import ``report`` into Security Hub (see the module docstring). ``client_for(region)``
    gives a securityhub client; ``account_id`` is the calling account."""
    result = ExportResult()
    home = home_region_of(report)
    scope = report.scope_key()
    now = utc_now()
    by_region: dict[str, list[Any]] = defaultdict(list)
    for f in report.findings:
        if f.account_id != account_id:
            result.skipped.append(
                f"{f.control_id} {f.resource_id}: account {f.account_id} is not the caller's "
                f"({account_id}); import it from that account"
            )
            continue
        region = f.region if f.region and f.region not in ("global", "unknown") else home
        if region is None:
            result.skipped.append(f"{f.control_id} {f.resource_id}: no region to import into")
            continue
        by_region[region].append(f)
    for region in sorted(by_region):
        try:
            _export_region(
                report,
                region,
                by_region[region],
                client_for(region),
                account_id,
                scope,
                now,
                home,
                result,
                retries,
                pause_s,
            )
        except (ClientError, BotoCoreError) as exc:
            from dynaguard.sources.aws.failures import read_error

            error = read_error(exc, "securityhub", region)
            result.failed.append(
                {
                    "Id": f"* ({len(by_region[region])} findings)",
                    "ErrorCode": "RegionFailed",
                    "ErrorMessage": f"{region}: {error or exc}",
                }
            )
    return result


def _export_region(
    report: Report,
    region: str,
    findings: Iterable[Any],
    client: Any,
    account_id: str,
    scope: str,
    now: str,
    home: str | None,
    result: ExportResult,
    retries: int,
    pause_s: float,
) -> None:
    result.regions.append(region)
    product = product_arn(account_id, region)
    before = existing_findings(client, product, scope)
    items = []
    for f in findings:
        item = to_asff(f, timestamp=now, home_region=home, scope=scope)
        previous = before.get(item["Id"])
        if previous is not None:
            item["CreatedAt"] = previous.get("CreatedAt", item["CreatedAt"])
            item.pop("Workflow", None)  # the customer's to change once the finding exists
        items.append(item)
    current = {i["Id"] for i in items}
    gone = [
        {**old, "RecordState": "ARCHIVED", "UpdatedAt": now}
        for fid, old in before.items()
        if fid not in current
        and old.get("ProductFields", {}).get("dynaguard/control_id") in report.controls
    ]
    imported, failed = _import(client, items, retries, pause_s)
    result.imported += imported
    result.failed += failed
    archived, failed = _import(client, gone, retries, pause_s)
    result.archived += archived
    result.failed += failed
    failed_ids = {f["Id"] for f in result.failed}
    to_resolve = [
        {"Id": i["Id"], "ProductArn": i["ProductArn"]}
        for i in items
        if i["Compliance"]["Status"] == "PASSED"
        and i["Id"] not in failed_ids
        and _needs_resolving(before.get(i["Id"]))
    ]
    resolved, failed = _resolve(client, to_resolve)
    result.resolved += resolved
    result.failed += failed
