"""Regenerate src/dynaguard/model/data/aws_managed_policies.json: which AWS managed policies grant
DynamoDB wildcard access (with their documents), and the names of all the others.

Infrastructure code attaches AWS managed policies by ARN (``ManagedPolicyArns``,
``aws_iam_role_policy_attachment``); their documents are AWS's, not in the code. moto ships a
copy of every AWS managed policy document (``moto/iam/aws_managed_policies.py``, refreshed by
moto's maintainers from AWS); this script runs dynaguard's own evaluator (DDB.012's rule) over
it and keeps the documents of the policies that FAIL, plus every policy's name so that a name
missing from the table reads UNKNOWN rather than PASS. Run after upgrading moto:

    .venv/bin/python scripts/aws_managed_policies.py
"""

from __future__ import annotations

import datetime as dt
import json
from importlib.metadata import version
from pathlib import Path

from dynaguard.model import PolicyDocument
from dynaguard.model.policy_identity import wildcard_grant

OUT = Path(__file__).resolve().parents[1] / "src/dynaguard/model/data/aws_managed_policies.json"


def main() -> None:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    policies = json.loads(aws_managed_policies_data)
    wildcard, names = {}, []
    for name, data in sorted(policies.items()):
        path = (data.get("Path") or "/") + name
        names.append(path.lstrip("/"))
        statements = data["Document"].get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        if wildcard_grant(PolicyDocument(tuple(statements))).found:
            wildcard[path.lstrip("/")] = data["Document"]
    newest = max(d.get("UpdateDate", "") for d in policies.values())[:10]
    out = {
        "source": f"moto {version('moto')} moto/iam/aws_managed_policies.py "
        f"(AWS managed policy documents, newest update {newest})",
        "generated": dt.date.today().isoformat(),
        "wildcard": wildcard,
        "names": names,
    }
    OUT.write_text(json.dumps(out, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(wildcard)} of {len(names)} grant DynamoDB wildcard access -> {OUT}")
    print(", ".join(sorted(wildcard)))


if __name__ == "__main__":
    main()
