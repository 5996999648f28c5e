"""Account Management region opt-in, and EC2 DescribeRegions that honours it. See :mod:`.patches`.

moto 5.2.5 routes only the alternate-contact calls of the ``account`` service, and its EC2
DescribeRegions lists every region of every partition whatever the caller's account. AWS keeps,
per account, the opt-in status of each region of the account's partition: regions launched
before March 2019 are ``ENABLED_BY_DEFAULT``; later ones start ``DISABLED`` until enabled
(``ENABLED``). ``ec2:DescribeRegions`` without ``AllRegions`` lists only the enabled regions of
the caller's partition.
https://docs.aws.amazon.com/accounts/latest/reference/API_ListRegions.html
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRegions.html

Gaps patched here (one line each):
ACC-1 ListRegions is not routed (HTTP 404/500)   -> every region of the account's partition with
                                                    its status, RegionOptStatusContains filter,
                                                    MaxResults / NextToken paging
ACC-2 GetRegionOptStatus / EnableRegion /        -> implemented; Enable/Disable take effect at once
      DisableRegion are not routed                  (AWS passes through ENABLING / DISABLING)
EC2-1 DescribeRegions lists all partitions,       -> the caller's partition only; opt-in regions
      opt-in regions always included                only when enabled (AllRegions=true: all of
                                                    the partition, with OptInStatus)
"""

from __future__ import annotations

import json
from typing import Any

# Regions that need opting in (launched after 20 March 2019), in the aws partition.
# https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
OPT_IN_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-south-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-west-1",
        "eu-central-2",
        "eu-south-1",
        "eu-south-2",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
    }
)
ENABLED_STATES = ("ENABLED", "ENABLED_BY_DEFAULT")
_PATHS = ("listRegions", "getRegionOptStatus", "enableRegion", "disableRegion")


def install() -> None:
    from moto.account import urls
    from moto.account.responses import AccountResponse
    from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions

    for path in _PATHS:
        urls.url_paths[f"{{0}}/{path}$"] = AccountResponse.dispatch
    response_cls: Any = AccountResponse
    response_cls.list_regions = _list_regions
    response_cls.get_region_opt_status = _get_region_opt_status
    response_cls.enable_region = _enable_region
    response_cls.disable_region = _disable_region
    ec2_cls: Any = AvailabilityZonesAndRegions
    ec2_cls.describe_regions = _describe_regions


def partition_regions(partition: str) -> list[str]:
    """The partition's regions as botocore's endpoint data lists them (EC2 is everywhere)."""
    import boto3

    return sorted(boto3.session.Session().get_available_regions("ec2", partition))


def region_states(account_id: str, partition: str) -> dict[str, str]:
    """Region -> opt-in status of one account (created on first use)."""
    from moto.account.models import account_backends

    backend = account_backends[account_id][partition]
    states: dict[str, str] | None = backend.__dict__.get("_dynaguard_regions")
    if states is None:
        states = {
            r: "DISABLED" if r in OPT_IN_REGIONS else "ENABLED_BY_DEFAULT"
            for r in partition_regions(partition)
        }
        backend.__dict__["_dynaguard_regions"] = states
    return states


def _error(code: str, message: str, status: int = 400) -> Exception:
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(error_type=code, message=message)
    error.code = status
    return error


def _states(response: Any) -> tuple[str, dict[str, str]]:
    account = response._get_param("AccountId") or response.current_account
    return account, region_states(account, response.partition)


def _list_regions(self: Any) -> str:
    _, states = _states(self)
    wanted = self._get_param("RegionOptStatusContains") or list(states.values())
    names = [r for r in sorted(states) if states[r] in wanted]
    size = int(self._get_param("MaxResults") or 20)
    if not 1 <= size <= 50:
        raise _error("ValidationException", "MaxResults must be between 1 and 50")
    start = int(self._get_param("NextToken") or 0)
    page = names[start : start + size]
    body: dict[str, Any] = {
        "Regions": [{"RegionName": r, "RegionOptStatus": states[r]} for r in page]
    }
    if start + size < len(names):
        body["NextToken"] = str(start + size)
    return json.dumps(body)


def _region(self: Any, states: dict[str, str]) -> str:
    region = self._get_param("RegionName") or ""
    if region not in states:
        raise _error("ValidationException", f"Invalid region: {region!r}")
    return str(region)


def _get_region_opt_status(self: Any) -> str:
    _, states = _states(self)
    region = _region(self, states)
    return json.dumps({"RegionName": region, "RegionOptStatus": states[region]})


def _enable_region(self: Any) -> str:
    _, states = _states(self)
    region = _region(self, states)
    if states[region] != "ENABLED_BY_DEFAULT":
        states[region] = "ENABLED"
    return "{}"


def _disable_region(self: Any) -> str:
    _, states = _states(self)
    region = _region(self, states)
    if states[region] == "ENABLED_BY_DEFAULT":
        raise _error("ValidationException", f"{region} is enabled by default (cannot disable)")
    states[region] = "DISABLED"
    return "{}"


def _describe_regions(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.ec2.models.availability_zones_and_regions import Region

    self.error_on_dryrun()
    states = region_states(self.current_account, self.partition)
    all_regions = str(self._get_param("AllRegions", "false")).lower() == "true"
    wanted = set(self._get_param("RegionNames", []) or ())
    regions = []
    for name, state in sorted(states.items()):
        if wanted and name not in wanted:
            continue
        if not all_regions and state not in ENABLED_STATES:
            continue
        opt_in = {
            "ENABLED_BY_DEFAULT": "opt-in-not-required",
            "ENABLED": "opted-in",
        }.get(state, "not-opted-in")
        suffix = "amazonaws.com.cn" if name.startswith("cn-") else "amazonaws.com"
        regions.append(Region(name, f"ec2.{name}.{suffix}", opt_in))
    return ActionResult({"Regions": regions})
