"""Building the parser (``dynaguard --help``) and listing the controls load no AWS SDK.

boto3 and botocore take most of a cold start; a module imported at the top of a CLI module
(``cli/org_options`` importing ``sources.aws.org``) pulls them in for every command. Checked
in a fresh interpreter, by which modules are loaded: a behaviour, not a timing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("boto3", "botocore", "moto", "s3transfer", "urllib3")

PROBE = """
import contextlib, io, json, sys
from dynaguard.cli.main import build_parser, run
build_parser()
with contextlib.redirect_stdout(io.StringIO()):
    try:
        run({argv!r})
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded_after(argv: list[str]) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv", [["--help"], ["scan", "--help"], ["harden", "--help"], ["controls"]]
)
def test_help_and_controls_load_no_aws_sdk(argv: list[str]) -> None:
    modules = loaded_after(argv)
    assert "dynaguard.cli.main" in modules  # the probe ran
    assert not {m.split(".")[0] for m in modules} & set(HEAVY)


def test_the_probe_sees_the_sdk_when_it_is_loaded() -> None:
    modules = loaded_after(["--version"])
    assert "botocore" not in modules
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import dynaguard.sources.aws.org, sys; print('botocore' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.strip() == "True"  # what the lazy imports keep out of the parser


def test_help_loads_neither_the_model_nor_rich() -> None:
    """``--help`` needs argparse and the option lists, not the resource model or rich."""
    modules = loaded_after(["--help"])
    assert "dynaguard.model" not in modules and "rich" not in modules
