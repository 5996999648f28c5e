"""Canary: moto as shipped still has every gap the emulator patches fill.

``dynaguard.emulator.patches`` rewrites parts of moto 5.x so it behaves like AWS. If a moto
upgrade fixes (or changes) one of those behaviours, the patch may become redundant or wrong:
this test fails loudly, naming the gap, so the patch is re-checked before it bends moto twice.
The probe runs in its own process because the patches change moto for the whole process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What moto 5.2.x does without the patches (see the table in dynaguard.emulator.patches).
EXPECTED = {
    "AAS-1 policies matched by ResourceId substring": True,
    "AAS-2 scalable target pages end": False,
    "ACC-1 list_regions error": "404",
    "EC2-1 describe_regions lists other partitions": True,
    "BAK-1 create_backup_selection error": "NotImplementedError",
    "BAK-2 describe_region_settings error": "404",
    "DAX-1 node zones": ["us-east-1a"],
    "IAM-1 attach AWS managed policy error": "NoSuchEntity",
    "DAX-2 node zones after increase": ["us-east-1a"],
    "DDB-1 update_table SSESpecification applied": False,
    "DDB-2 create_table reports the key ARN for an alias": False,
    "DDB-3/4/5 replicas listed": False,
    "DDB-6 stream policy error": "ResourceNotFoundException",
    "DDB-7 status right after update_table": "ACTIVE",
    "DDB-8 stream re-enable error": "ResourceInUseException",
    "DDB-9 restore without PITR error": None,
    "DDB-9 restore SSE override applied": False,
    "KMS-1 alias/aws/dynamodb KeyManager": "CUSTOMER",
    "SHB-1 batch_update_findings error": "404",
}


@pytest.fixture(scope="module")
def observed() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.emulator.moto_probe"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("gap", sorted(EXPECTED))
def test_unpatched_moto_still_has_the_gap(observed: dict[str, object], gap: str) -> None:
    assert observed.get(gap) == EXPECTED[gap], (
        f"moto changed behind patch {gap.split(maxsplit=1)[0]}: it now gives {observed.get(gap)!r} "
        f"where the patch expects {EXPECTED[gap]!r}; re-check dynaguard.emulator.patches"
    )


def test_every_patched_gap_is_probed() -> None:
    """Each gap id in the patches' table (DDB-1, KMS-1, ...) has a canary above."""
    from dynaguard.emulator import patches

    documented = set(re.findall(r"^([A-Z]{3}-\d+) ", patches.__doc__ or "", re.MULTILINE))
    probed = {f"{key[:3]}-{n}" for key in EXPECTED for n in key.split()[0][4:].split("/")}
    assert documented, "the gap table in dynaguard.emulator.patches is gone"
    assert documented <= probed, f"no canary for {sorted(documented - probed)}"
