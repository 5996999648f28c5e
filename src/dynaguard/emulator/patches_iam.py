"""IAM gap: AWS managed policies (AdministratorAccess, AmazonDynamoDBFullAccess, ...). See
:mod:`.patches`.

moto knows them only with ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` set before an account's IAM
backend is created, and then builds all ~1,500 of them for every account (about 6 s each,
measured under load): attaching ``arn:aws:iam::aws:policy/AdministratorAccess`` otherwise fails
with "Policy ... does not exist or is not attachable". In AWS they always exist. The patch
loads one AWS managed policy, from moto's own copy of their documents, the first time an
account asks for it by ARN (GetPolicy, GetPolicyVersion, Attach{Role,User,Group}Policy), so
attaching and reading them works at no start-up cost. ListPolicies(Scope=AWS) lists only the
ones loaded so far.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

_AWS_POLICY_ARN = re.compile(r"^arn:[a-z-]+:iam::aws:policy(/(?:.*/)?)([^/]+)$")


@cache
def _documents() -> dict[str, dict[str, Any]]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data: dict[str, dict[str, Any]] = json.loads(aws_managed_policies_data)
    return data


def ensure_aws_managed_policy(backend: Any, arn: str) -> None:
    """Give ``backend`` (one account's IAM) the AWS managed policy ``arn`` if AWS has one."""
    match = _AWS_POLICY_ARN.match(arn or "")
    if match is None or arn in backend.managed_policies:
        return
    path, name = match.groups()
    data = _documents().get(name)
    if data is None or (data.get("Path") or "/") != path:
        return
    from moto.iam.models import AWSManagedPolicy

    policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
    if policy.arn != arn:  # another partition than the backend's
        return
    backend.aws_managed_policies.append(policy)
    backend.managed_policies[policy.arn] = policy


def install() -> None:
    from moto.iam.models import IAMBackend

    backend_cls: Any = IAMBackend
    for method in ("attach_role_policy", "attach_user_policy", "attach_group_policy"):
        setattr(backend_cls, method, _loading(getattr(backend_cls, method)))
    backend_cls.get_policy = _loading(backend_cls.get_policy)


def _loading(original: Any) -> Any:
    def wrapper(self: Any, policy_arn: str, *args: Any, **kwargs: Any) -> Any:
        ensure_aws_managed_policy(self, policy_arn)
        return original(self, policy_arn, *args, **kwargs)

    wrapper.__name__ = original.__name__
    wrapper.__doc__ = original.__doc__
    return wrapper
