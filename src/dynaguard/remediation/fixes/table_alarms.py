"""DDB.018: create the missing throttling alarms (ReadThrottleEvents / WriteThrottleEvents),
notifying the configured SNS topic of the table's region.

Only metrics no alarm covers get a new alarm, named ``dynaguard-TABLE-METRIC`` (Sum over 60 s,
any throttle event, ``harden.alarm_datapoints`` of ``harden.alarm_evaluation_periods``). An
existing alarm is never rewritten: if one of that name exists but does not notify, the table is
skipped with the reason. Undo deletes exactly the alarms the run created. The topic is checked
before planning (it exists; it is in a region harden runs in), so a typo never becomes a
plan of alarms that notify nobody.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.controls.ddb018_table_throttle_alarms import throttle_gaps
from dynaguard.errors import UsageError
from dynaguard.model import Known, Table
from dynaguard.model.alarms import throttle_alarm_name, throttle_alarm_request
from dynaguard.remediation.base import (
    ApiStep,
    Change,
    LiveState,
    Options,
    PlanResult,
    Remediation,
    Skip,
)
from dynaguard.remediation.fixes.common import table_ref
from dynaguard.remediation.registry import register
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.session import AwsSession

PERMISSIONS = (
    "cloudwatch:PutMetricAlarm",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:DeleteAlarms",  # undo
    "sns:GetTopicAttributes",  # the topic is checked before planning
)


def plan(table: Table, live: LiveState, options: Options) -> PlanResult:
    alarms = live.scope.alarms
    if not isinstance(alarms, Known):
        return Skip("DDB.018", table_ref(table), "CloudWatch alarms unknown")
    settings = options.settings
    topic = settings.alarm_topic.get(table.region)
    if not topic:
        return Skip(
            "DDB.018",
            table_ref(table),
            f"no alarm topic for {table.region}: pass --alarm-topic SNS_TOPIC_ARN or set "
            "harden.alarm_topic",
        )
    gaps = throttle_gaps(alarms.value, table)
    existing = {a.name for a in alarms.value.alarms if a.region == table.region}
    taken = [throttle_alarm_name(table.name, m) for m in gaps]
    taken = [n for n in taken if n in existing]
    if taken:
        return Skip(
            "DDB.018",
            table_ref(table),
            f"alarm {', '.join(taken)} exists but does not notify (actions off or none): "
            "enable its actions or delete it; harden never rewrites an existing alarm",
        )
    steps, undo = [], []
    for metric in gaps:
        request = throttle_alarm_request(
            table.name,
            metric,
            topic,
            settings.alarm_datapoints,
            settings.alarm_evaluation_periods,
        )
        steps.append(ApiStep("cloudwatch:PutMetricAlarm", table.region, request, "none"))
        undo.append(
            ApiStep(
                "cloudwatch:DeleteAlarms",
                table.region,
                {"AlarmNames": [request["AlarmName"]]},
                "none",
            )
        )
    return Change(
        "DDB.018",
        table_ref(table),
        "; ".join(gaps.values()),
        f"alarm on {' and '.join(gaps)} -> {topic.rsplit(':', 1)[-1]}",
        tuple(steps),
        tuple(undo),
        {"created_alarms": [s.params["AlarmName"] for s in steps], "topic": topic},
    )


def check_alarm_topics(session: AwsSession, aws_options: AwsOptions, options: Options) -> None:
    """Before planning: the topics of the regions this run hardens exist; and when regions are
    named, at least one configured topic is in one of them (a topic in another region can
    notify nothing here: CloudWatch alarms notify topics of their own region)."""
    topics = dict(options.settings.alarm_topic)
    named = (
        set(aws_options.regions) if aws_options.regions and not aws_options.all_regions else None
    )
    if named is not None and topics:
        used = {region: topic for region, topic in topics.items() if region in named}
        if not used:
            where = ", ".join(f"{t} in {r}" for r, t in sorted(topics.items()))
            raise UsageError(
                f"alarm topic {where}, but harden runs in {', '.join(sorted(named))}: "
                "CloudWatch alarms notify topics of their own region (pass one per region)"
            )
        topics = used
    for region, topic in topics.items():
        try:
            session.client("sns", region).get_topic_attributes(TopicArn=topic)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            why = "not found" if code in ("NotFound", "NotFoundException") else code
            raise UsageError(f"alarm topic {topic}: {why} ({exc})") from None
        except BotoCoreError as exc:
            raise UsageError(f"alarm topic {topic}: cannot be checked ({exc})") from None


register(
    Remediation(
        "DDB.018",
        "table",
        "create the missing read/write throttling alarms (PutMetricAlarm) to the alarm topic",
        PERMISSIONS,
        ("ACTIVE", "UPDATING"),
        plan,
        preflight=check_alarm_topics,
    )
)
