"""Application Auto Scaling gaps: describe filters and paging. See :mod:`.patches`.

AWS: DescribeScalingPolicies filters on the exact ResourceId and ScalableDimension and on
PolicyNames, MaxResults 1-10 (default 10); DescribeScalableTargets MaxResults 1-50 (default 50).
NextToken is opaque and paging ends.
https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalingPolicies.html
"""

from __future__ import annotations

import json
from typing import Any


def install() -> None:
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    response_cls: Any = ApplicationAutoScalingResponse
    response_cls.describe_scaling_policies = _describe_scaling_policies
    response_cls.describe_scalable_targets = _describe_scalable_targets


def _page(self: Any, items: list[Any], page_max: int) -> tuple[list[Any], str | None]:
    requested = self._get_int_param("MaxResults") or page_max
    size = max(1, min(int(requested), page_max))
    token = self._get_param("NextToken")
    start = int(token) if token and str(token).isdigit() else 0
    page = items[start : start + size]
    next_token = str(start + size) if start + size < len(items) else None
    return page, next_token


def _describe_scaling_policies(self: Any) -> str:
    """AAS-1: exact ResourceId / ScalableDimension match, PolicyNames honoured, pages of 10."""
    from moto.applicationautoscaling.responses import _build_policy

    self._validate_params()
    namespace = self._get_param("ServiceNamespace")
    resource_id = self._get_param("ResourceId")
    dimension = self._get_param("ScalableDimension")
    names = self._get_param("PolicyNames") or []
    policies = [
        p
        for p in self.applicationautoscaling_backend.policies.values()
        if p.service_namespace == namespace
        and (not resource_id or p.resource_id == resource_id)
        and (not dimension or p.scalable_dimension == dimension)
        and (not names or p.policy_name in names)
    ]
    page, next_token = _page(self, policies, 10)
    result: dict[str, Any] = {"ScalingPolicies": [_build_policy(p) for p in page]}
    if next_token:
        result["NextToken"] = next_token
    return json.dumps(result)


def _describe_scalable_targets(self: Any) -> str:
    """AAS-2: NextToken advances through every page and paging ends."""
    from moto.applicationautoscaling.responses import _build_target

    self._validate_params()
    targets = self.applicationautoscaling_backend.describe_scalable_targets(
        self._get_param("ServiceNamespace"),
        self._get_param("ResourceIds"),
        self._get_param("ScalableDimension"),
    )
    page, next_token = _page(self, targets, 50)
    result: dict[str, Any] = {"ScalableTargets": [_build_target(t) for t in page]}
    if next_token:
        result["NextToken"] = next_token
    return json.dumps(result)
