"""`dynaguard --help` stays light: building the whole parser imports no AWS SDK (start-up time;
the option modules import the AWS source only where a command runs)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from dynaguard.cli.main import build_parser
build_parser()
print(",".join(m for m in ("boto3", "botocore", "dynaguard.sources.aws") if m in sys.modules))
"""


def test_building_the_parser_imports_no_aws_sdk() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""
