"""``dynaguard demo``: the whole story on an embedded AWS emulator, no account needed."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace

from dynaguard.config import Baseline, Config, load_config
from dynaguard.errors import DynaguardError

DEMO_REGIONS = ("us-east-1", "eu-west-1", "us-west-2")  # primary, then the replica regions


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _use_fake_credentials(endpoint_url: str) -> None:
    """The demo process talks only to the local emulator: fake keys, fixed default region."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # the emulator accepts any key
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": DEMO_REGIONS[0],
        }
    )
    os.environ.pop("AWS_PROFILE", None)


def run_demo(args: argparse.Namespace) -> int:
    try:
        from dynaguard.emulator.fleet import seed_demo_fleet
        from dynaguard.emulator.server import start_emulator
    except ImportError as exc:
        raise DynaguardError(
            f"the demo needs the emulator extra: pip install 'dynaguard[demo]' ({exc.name} missing)"
        ) from None
    from dynaguard.cli.commands import _controls_arg, progress_bar, write_report
    from dynaguard.controls.base import Severity
    from dynaguard.engine import new_run_id, scan
    from dynaguard.logs import setup_logging
    from dynaguard.sources.aws.options import AwsOptions

    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    started = time.perf_counter()
    emulator = start_emulator()
    try:
        _use_fake_credentials(emulator.endpoint_url)
        _say(f"dynaguard demo: AWS emulator (moto) listening on {emulator.endpoint_url}")
        manifest = seed_demo_fleet(emulator.endpoint_url)
        _say(
            f"seeded a fleet with mixed posture in {', '.join(DEMO_REGIONS)}: "
            f"{len(manifest.tables)} tables, {len(manifest.dax_clusters)} DAX clusters "
            f"({time.perf_counter() - started:.1f} s)"
        )
        if args.serve:
            return _serve(emulator.endpoint_url)
        _say("scanning it against the baseline...\n")
        # The primary region: global-table replicas are described in their own regions.
        options = AwsOptions(regions=DEMO_REGIONS[:1], endpoint_url=emulator.endpoint_url)
        with progress_bar(True) as progress:
            report = scan(
                options,
                config=demo_config(args.config),
                controls=_controls_arg(args),
                run_id=run_id,
                progress=progress,
            )
        write_report(report, args)
        code = report.exit_code(Severity(args.fail_on))
        _say(
            "\nThis was a local emulator. Against your account: "
            "dynaguard scan --region us-east-1 --prefix sentinel-"
        )
        return 0 if code in (0, 1) else code
    finally:
        emulator.stop()


def demo_config(path: str | None) -> Config:
    """The user's config, or the default baseline plus the tags the demo fleet is judged by."""
    if path:
        return load_config(path)
    from dynaguard.emulator.fleet_spec import BASELINE_OVERRIDES

    return Config(baseline=replace(Baseline(), **BASELINE_OVERRIDES))  # type: ignore[arg-type]


def _serve(endpoint_url: str) -> int:
    print(endpoint_url, flush=True)
    _say(
        "\nThe emulator stays up until Ctrl-C. In another shell:\n"
        "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
        f"AWS_DEFAULT_REGION={DEMO_REGIONS[0]}\n"
        f"  dynaguard scan --endpoint-url {endpoint_url} --region {DEMO_REGIONS[0]}"
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        _say("stopping the emulator")
    return 0
