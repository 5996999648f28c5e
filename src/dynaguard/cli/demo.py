"""``dynaguard demo``: the whole story on an embedded AWS emulator, no account needed."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dynaguard.config import HARDEN_OPT_IN, Config
from dynaguard.config_load import load_config, parse_config
from dynaguard.errors import DynaguardError
from dynaguard.report import Report

if TYPE_CHECKING:
    from dynaguard.remediation.harden import HardenResult
    from dynaguard.sources.aws.options import AwsOptions

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
    from dynaguard.cli.commands import write_report
    from dynaguard.emulator.patches_table_status import set_update_settle
    from dynaguard.engine import new_run_id
    from dynaguard.logs import setup_logging
    from dynaguard.model import Severity
    from dynaguard.remediation.render import render_outcomes, render_plan
    from dynaguard.sources.aws.options import AwsOptions

    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    config = demo_config(args.config)  # a bad file is a usage error before anything starts
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
            return _serve(emulator.endpoint_url, args.config)
        _say("scanning it against the baseline...\n")
        # The primary region: global-table replicas are described in their own regions.
        options = AwsOptions(regions=DEMO_REGIONS[:1], endpoint_url=emulator.endpoint_url)
        before = _scan(options, config, args, f"{run_id}-before")
        if args.format != "json":
            write_report(before, args)
        _say(
            "\nhardening it: dynaguard harden --yes "
            "(demo config: keys, tags, backup tag, opt-ins)\n"
        )
        set_update_settle(2)  # tables go UPDATING after each UpdateTable, as on AWS
        result = harden_fleet(options, config, run_id)
        if args.format != "json":
            sys.stdout.write(render_plan(result.plan) + render_outcomes(result.outcomes))
        after = _scan(options, config, args, f"{run_id}-after")
        if args.format == "json":  # one document: the scan before, harden, the scan after
            import json

            from dynaguard import __version__

            document = {
                "tool": {"name": "dynaguard", "version": __version__},
                "command": "demo",
                "run_id": run_id,
                "before": before.to_dict(),
                "harden": result.to_dict(),
                "after": after.to_dict(),
            }
            sys.stdout.write(json.dumps(document, indent=2) + "\n")
        else:
            write_report(after, args)
        _say(before_after(before, after))
        drilled = drill_demo_table(options, config, run_id)
        _say(
            "\nThis was a local emulator. Against your account: "
            "dynaguard scan --region us-east-1 --prefix sentinel-, then dynaguard harden"
        )
        code = after.exit_code(Severity(args.fail_on))
        worst = max(result.exit_code, drilled)
        return 0 if code in (0, 1) and worst == 0 else max(code, worst)
    finally:
        emulator.stop()


def demo_config(path: str | None) -> Config:
    """The user's config, or the demo config (:func:`demo_config_document`): the default
    baseline plus what the demo fleet is judged by, and a ``harden`` section naming the
    fleet's keys, tag values, backup tag, alarm topic and the opt-ins."""
    if path:
        return load_config(path)
    return parse_config(demo_config_document(), "<demo config>")


def demo_config_document() -> dict[str, Any]:
    """The demo config as the data of a config file: what ``demo`` uses, and what ``demo
    --serve`` writes for ``scan --config`` so a manual scan gives the README's verdicts."""
    from dynaguard.emulator.fleet_spec import (
        ALARM_TOPIC,
        BASELINE_OVERRIDES,
        CMK_REPLICA,
        CMK_ROTATED,
        DEMO_ACCOUNT,
    )

    baseline = {k: list(v) if isinstance(v, tuple) else v for k, v in BASELINE_OVERRIDES.items()}
    harden = {
        "kms_key": {DEMO_REGIONS[0]: CMK_ROTATED, DEMO_REGIONS[1]: CMK_REPLICA},
        "default_tags": {"owner": "platform-team", "cost-center": "cc-0000"},
        "backup_tag": {"backup": "daily"},
        "opt_in": list(HARDEN_OPT_IN),
        "alarm_topic": f"arn:aws:sns:{DEMO_REGIONS[0]}:{DEMO_ACCOUNT}:{ALARM_TOPIC}",
    }
    return {"baseline": baseline, "harden": harden}


def write_demo_config(folder: Path) -> Path:
    """The demo config as YAML in ``folder`` (a header says what it is); returns its path."""
    import yaml

    path = folder / "dynaguard-demo.yaml"
    header = (
        "# dynaguard demo config: the baseline the demo fleet is judged by (README 'The demo')\n"
        "# and the harden settings for its keys, tags, backup tag, alarm topic and opt-ins.\n"
    )
    body = yaml.safe_dump(demo_config_document(), sort_keys=False, default_flow_style=False)
    path.write_text(header + body, encoding="utf-8")
    return path


def _scan(options: AwsOptions, config: Config, args: argparse.Namespace, run_id: str) -> Report:
    from dynaguard.cli.commands import controls_arg, progress_bar
    from dynaguard.engine import scan

    with progress_bar(True) as progress:
        return scan(
            options, config=config, controls=controls_arg(args), run_id=run_id, progress=progress
        )


def harden_fleet(options: AwsOptions, config: Config, run_id: str) -> HardenResult:
    """``dynaguard harden --yes`` on the demo fleet: a key is created where none is named
    (us-west-2), journals go to a temporary state dir."""
    import tempfile

    from dynaguard.remediation.base import Options
    from dynaguard.remediation.harden import harden
    from dynaguard.remediation.steps import Timing

    with tempfile.TemporaryDirectory(prefix="dynaguard-demo-") as state_dir:
        return harden(
            options,
            config=config,
            options=Options(settings=config.harden, create_key=True),
            confirm=lambda plan: True,
            state_dir=Path(state_dir),
            run_id=f"{run_id}-harden",
            timing=Timing(poll_s=0.05, poll_max_s=0.5, retry_base_s=0.05),
        )


DRILL_TABLE = "sentinel-approvals"  # PITR on, customer managed key


def drill_demo_table(options: AwsOptions, config: Config, run_id: str) -> int:
    """``dynaguard drill sentinel-approvals --yes`` on a few items; prints the result."""
    import tempfile

    from dynaguard.drill.render import render_result
    from dynaguard.drill.run import DrillRequest, DrillTiming, run_drill
    from dynaguard.sources.aws.session import AwsSession

    region = options.regions[0]
    session = AwsSession(options, f"{run_id}-drill")
    ddb = session.client("dynamodb", region)
    for i in range(25):
        ddb.put_item(TableName=DRILL_TABLE, Item={"pk": {"S": f"approval-{i:02}"}})
    _say(f"\nrestore drill: dynaguard drill {DRILL_TABLE} --yes\n")
    with tempfile.TemporaryDirectory(prefix="dynaguard-demo-") as state_dir:
        result = run_drill(
            DrillRequest(DRILL_TABLE, region),
            session,
            config,
            Path(state_dir),
            run_id=f"{run_id}-drill",
            timing=DrillTiming(poll_s=0.05, poll_max_s=0.5),
        )
    _say(render_result(result).rstrip())
    return result.exit_code


def before_after(before: Report, after: Report) -> str:
    """A two-line summary and the FAILs left, which are the MANUAL ones."""
    b, a = before.summary(), after.summary()
    lines = [
        f"\nbefore harden: {b['FAIL']} FAIL, {b['PASS']} PASS",
        f"after harden:  {a['FAIL']} FAIL, {a['PASS']} PASS",
    ]
    left = sorted(
        {(f.control_id, f.resource_id) for f in after.findings if f.status.value == "FAIL"}
    )
    if left:
        lines.append("left for a human (MANUAL): " + ", ".join(f"{c} {r}" for c, r in left))
    return "\n".join(lines)


def _serve(endpoint_url: str, user_config: str | None) -> int:
    """Print the endpoint (stdout: the one line a script reads) and, on stderr, the commands
    to try with the config that gives the README's verdicts: the user's ``--config``, or the
    demo config written to a temporary file (removed when the emulator stops)."""
    import shutil
    import tempfile

    folder = None
    # Ctrl-C may come as soon as the endpoint is printed: from then on it is a clean stop.
    try:
        print(endpoint_url, flush=True)
        config = user_config
        if config is None:
            folder = Path(tempfile.mkdtemp(prefix="dynaguard-demo-"))
            config = str(write_demo_config(folder))
        _say(
            "\nThe emulator stays up until Ctrl-C. In another shell:\n"
            "  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
            f"AWS_DEFAULT_REGION={DEMO_REGIONS[0]}\n"
            f"  dynaguard scan --endpoint-url {endpoint_url} --region {DEMO_REGIONS[0]} "
            f"--config {config}\n"
            f"  dynaguard harden --endpoint-url {endpoint_url} --region {DEMO_REGIONS[0]} "
            f"--config {config} --dry-run"
        )
        if folder is not None:
            text = Path(config).read_text(encoding="utf-8")
            _say(f"\nthe demo config, in {config}:\n" + _indented(text))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        _say("stopping the emulator")
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def _indented(text: str) -> str:
    return "".join(f"  {line}" for line in text.splitlines(keepends=True)).rstrip()
