"""DDB.013 (opt-in) streams, DDB.014 TTL (only with a configured attribute), DDB.017 tags.

A stream's view type cannot be changed in place: the stream is disabled, then enabled with the
allowed type (a new stream ARN; consumers must follow it), one UpdateTable after the other.
TTL deletes items whose attribute holds a past epoch, so it is enabled only on the attribute
``harden.ttl_attributes`` names for the table; otherwise MANUAL. Tags are only added for
required keys missing on the table, never overwritten.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html#Streams.Enabling
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
"""

from __future__ import annotations

from dynaguard.model import Known, Stream, Table
from dynaguard.remediation.base import LiveState, Options, PlanResult, Remediation
from dynaguard.remediation.change import ApiStep, Change, Manual, Skip
from dynaguard.remediation.fixes.common import table_ref, table_step
from dynaguard.remediation.registry import register


def _stream_steps(table: Table, stream: Stream, view: str | None) -> list[ApiStep]:
    steps = []
    if stream.enabled:
        steps.append(
            table_step(
                "dynamodb:UpdateTable",
                table.name,
                table.region,
                StreamSpecification={"StreamEnabled": False},
            )
        )
    if view:
        spec = {"StreamEnabled": True, "StreamViewType": view}
        steps.append(
            table_step("dynamodb:UpdateTable", table.name, table.region, StreamSpecification=spec)
        )
    return steps


def plan_stream(table: Table, live: LiveState, options: Options) -> PlanResult:
    if not isinstance(table.stream, Known):
        return Skip("DDB.013", table_ref(table), "stream state unknown")
    stream = table.stream.value
    view = live.baseline.stream_view_types[0]
    current = stream.view_type if stream.enabled else "off"
    return Change(
        "DDB.013",
        table_ref(table),
        str(current),
        view,
        tuple(_stream_steps(table, stream, view)),
        tuple(_stream_steps(table, Stream(True), stream.view_type if stream.enabled else None)),
        {"enabled": stream.enabled, "view_type": stream.view_type},
        undo_weakens=False,
    )


def plan_ttl(table: Table, live: LiveState, options: Options) -> PlanResult:
    attribute = options.settings.ttl_attributes.get(table.name)
    if attribute is None:
        return Manual(
            "DDB.014",
            table_ref(table),
            "TTL deletes items whose attribute holds a past epoch time: name the attribute in "
            "harden.ttl_attributes to let harden enable it",
            (
                f"aws dynamodb update-time-to-live --region {table.region} --table-name "
                f"{table.name} --time-to-live-specification Enabled=true,AttributeName=ATTRIBUTE",
            ),
        )
    if isinstance(table.ttl, Known) and table.ttl.value.status.upper() == "DISABLING":
        return Skip(
            "DDB.014", table_ref(table), "TTL is being disabled; AWS allows a change within an hour"
        )

    def spec(enabled: bool) -> ApiStep:
        params = {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}
        return ApiStep(
            "dynamodb:UpdateTimeToLive", table.region, {"TableName": table.name, **params}, "none"
        )

    return Change(
        "DDB.014",
        table_ref(table),
        "off",
        f"on ({attribute})",
        (spec(True),),
        (spec(False),),
        {"enabled": False},
        undo_weakens=False,
    )


def plan_tags(table: Table, live: LiveState, options: Options) -> PlanResult:
    if not isinstance(table.tags, Known):
        return Skip("DDB.017", table_ref(table), "tags unknown")
    missing = [k for k in live.baseline.required_tags if k not in table.tags.value]
    defaults = options.settings.default_tags
    unfilled = [k for k in missing if k not in defaults]
    if unfilled:
        return Manual(
            "DDB.017",
            table_ref(table),
            f"required tag(s) {', '.join(unfilled)} missing and not in harden.default_tags",
            (
                f"aws dynamodb tag-resource --region {table.region} --resource-arn {table.arn} "
                "--tags " + " ".join(f"Key={k},Value=VALUE" for k in unfilled),
            ),
        )
    tags = [{"Key": k, "Value": defaults[k]} for k in missing]
    arn = table.arn or ""
    return Change(
        "DDB.017",
        table_ref(table),
        f"missing {', '.join(missing)}",
        ", ".join(f"{k}={defaults[k]}" for k in missing),
        (
            ApiStep(
                "dynamodb:TagResource", table.region, {"ResourceArn": arn, "Tags": tags}, "none"
            ),
        ),
        (
            ApiStep(
                "dynamodb:UntagResource",
                table.region,
                {"ResourceArn": arn, "TagKeys": missing},
                "none",
            ),
        ),
        {"added": missing},
        undo_weakens=False,
    )


register(
    Remediation(
        "DDB.013",
        "table",
        "enable streams with the allowed view type",
        ("dynamodb:UpdateTable", "dynamodb:DescribeTable"),
        ("ACTIVE",),
        plan_stream,
        opt_in=True,
    )
)
register(
    Remediation(
        "DDB.014",
        "table",
        "enable TTL on the configured attribute (else MANUAL)",
        ("dynamodb:UpdateTimeToLive",),
        ("ACTIVE", "UPDATING"),
        plan_ttl,
    )
)
register(
    Remediation(
        "DDB.017",
        "table",
        "add harden.default_tags for missing required tags",
        ("dynamodb:TagResource",),
        ("ACTIVE", "UPDATING"),
        plan_tags,
    )
)
