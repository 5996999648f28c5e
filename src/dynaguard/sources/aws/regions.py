"""The regions enabled for an account, in that account's partition.

``account:ListRegions`` first: it answers for the account itself (opt-in regions included once
enabled) and needs no EC2 permission. When it is denied or unavailable, ``ec2:DescribeRegions``
(``AllRegions=false``: enabled regions only). Both are asked in the session's home region, whose
partition is the account's; a region of another partition is never returned.
https://docs.aws.amazon.com/accounts/latest/reference/API_ListRegions.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from dynaguard.errors import AuditError
from dynaguard.logs import get_logger
from dynaguard.sources.aws.failures import read_error
from dynaguard.sources.aws.session import AwsSession
from dynaguard.sources.aws.shape import Body, MalformedResponse, call_body, page_bodies

log = get_logger("aws.regions")

ENABLED = ["ENABLED", "ENABLED_BY_DEFAULT"]


def enabled_regions(session: AwsSession) -> tuple[str, ...]:
    """Enabled regions of the session's account, sorted; AuditError when neither call answers."""
    home = session.home_region
    try:
        names = _list_regions(session, home)
    except (ClientError, BotoCoreError, MalformedResponse) as exc:
        first = read_error(exc, "account:ListRegions", home)
        log.info("account:ListRegions failed (%s); trying ec2:DescribeRegions", first)
        try:
            names = _describe_regions(session, home)
        except (ClientError, BotoCoreError, MalformedResponse) as exc2:
            second = read_error(exc2, "ec2:DescribeRegions", home)
            raise AuditError(f"cannot list the enabled regions: {first}; {second}") from None
    partition = session.partition(home)
    same = sorted({n for n in names if _partition_of(session, n, partition) == partition})
    if not same:
        raise AuditError(f"no enabled region listed in partition {partition}")
    return tuple(same)


def _list_regions(session: AwsSession, home: str) -> list[str]:
    client = session.client("account", home)
    return _names(page_bodies(client, "account:ListRegions", home, RegionOptStatusContains=ENABLED))


def _describe_regions(session: AwsSession, home: str) -> list[str]:
    client = session.client("ec2", home)
    return _names([call_body(client, "ec2:DescribeRegions", home, AllRegions=False)])


def _names(pages: list[Body]) -> list[str]:
    """Every listed region's name. A page without its ``Regions`` list, or a region without a
    name, is a MalformedResponse: a shorter list would silently leave regions unscanned."""
    return [r.text("RegionName") for page in pages for r in page.children("Regions")]


def _partition_of(session: AwsSession, region: str, home_partition: str) -> str:
    """A region botocore does not know yet is taken to be in the home partition (AWS listed
    it for this account); a known region says its own."""
    partition = session.known_partition(region)
    return partition if partition is not None else home_partition
