"""The export's batching, throttled-record retries and failure reporting, on a recording
double of the Security Hub client (the emulator cannot throttle one record of a batch)."""

from __future__ import annotations

from dataclasses import replace

from dynaguard.exports.security_hub import export_report
from tests.formats.asff_rules import problems
from tests.formats.reports import ACCT, HOSTILE_TEXTS, finding, hostile_finding, live_report


class RecordingHub:
    def __init__(self, throttle_once=(), reject=()):
        self.imports = []
        self.throttle_once = set(throttle_once)
        self.reject = set(reject)
        self.stored = {}

    def get_paginator(self, name):
        hub = self

        class Pages:
            def paginate(self, **kwargs):
                yield {"Findings": list(hub.stored.values())}

        return Pages()

    def batch_import_findings(self, Findings):
        assert len(Findings) <= 100
        self.imports.append([f["Id"] for f in Findings])
        failed = []
        for f in Findings:
            if f["Id"] in self.throttle_once:
                self.throttle_once.discard(f["Id"])
                failed.append(
                    {"Id": f["Id"], "ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"}
                )
            elif f["Id"] in self.reject:
                failed.append({"Id": f["Id"], "ErrorCode": "InvalidInput", "ErrorMessage": "bad"})
            else:
                self.stored[f["Id"]] = f
        return {
            "SuccessCount": len(Findings) - len(failed),
            "FailedCount": len(failed),
            "FailedFindings": failed,
        }

    def batch_update_findings(self, FindingIdentifiers, **kwargs):
        return {"ProcessedFindings": FindingIdentifiers, "UnprocessedFindings": []}


def many(n):
    return replace(
        live_report(),
        findings=tuple(
            finding(
                resource_id=f"t{i}", resource_arn=f"arn:aws:dynamodb:us-east-1:{ACCT}:table/t{i}"
            )
            for i in range(n)
        ),
    )


def test_batches_of_at_most_100():
    client = RecordingHub()
    result = export_report(many(250), lambda region: client, ACCT, pause_s=0)
    assert [len(b) for b in client.imports] == [100, 100, 50]
    assert result.imported == 250 and result.failed == []


def test_throttled_records_are_retried_and_rejected_ones_reported():
    report = many(3)
    ids = [f"dynaguard/DDB.002/arn:aws:dynamodb:us-east-1:{ACCT}:table/t{i}" for i in range(3)]
    client = RecordingHub(throttle_once=[ids[0]], reject=[ids[1]])
    result = export_report(report, lambda region: client, ACCT, pause_s=0)
    assert client.imports[1] == [ids[0]]  # only the throttled record is re-sent
    assert result.imported == 2
    assert result.failed == [{"Id": ids[1], "ErrorCode": "InvalidInput", "ErrorMessage": "bad"}]
    assert "1 failed" in result.summary()


def test_other_accounts_are_skipped_with_a_reason():
    report = replace(live_report(), findings=(finding(account_id="999999999999"),))
    result = export_report(report, lambda region: RecordingHub(), ACCT, pause_s=0)
    assert result.imported == 0 and "999999999999" in result.skipped[0]


class ValidatingHub(RecordingHub):
    """Rejects a finding as Security Hub would when it breaks the documented field rules."""

    def batch_import_findings(self, Findings):
        bad = [f["Id"] for f in Findings if problems(f)]
        self.reject |= set(bad)
        return super().batch_import_findings(Findings)


def test_hostile_names_and_a_long_scope_are_imported_then_archived():
    names = [*HOSTILE_TEXTS.values(), "orders"]
    findings = tuple(hostile_finding(n) for n in names)
    scope = {"tables": [f"table-{i:04d}" for i in range(400)]}  # a scope key of ~5,000 chars
    report = replace(live_report(), findings=findings, scope=scope)
    assert len(report.scope_key()) > 2048
    client = ValidatingHub()
    first = export_report(report, lambda region: client, ACCT, pause_s=0)
    assert first.failed == [] and first.imported == len(names)
    later = replace(report, findings=findings[:-1])  # "orders" is gone
    second = export_report(later, lambda region: client, ACCT, pause_s=0)
    assert second.failed == [] and second.archived == 1  # found again by its scope field
