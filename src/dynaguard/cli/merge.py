"""``dynaguard merge``: shard reports (files or S3 prefixes) into one report."""

from __future__ import annotations

import argparse
from typing import Any

EXIT_HELP = """exit codes (as for scan):
  0 nothing failing at or above --fail-on; 1 failing findings; 2 usage or input error (reports
  that do not belong together); 3 audit incomplete (UNKNOWN findings or missing shards)
"""


def register(sub: Any, common: Any) -> None:
    p = sub.add_parser(
        "merge",
        help="merge shard reports (files or s3:// prefixes) into one report",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="FILE_OR_S3_PREFIX",
        help="JSON scan reports: files, s3://bucket/key, or s3://bucket/prefix/ (every .json)",
    )
    common.output(p)
    p.add_argument("--profile", help="AWS named profile (S3 inputs or output)")
    p.add_argument("--region", help="AWS region of the S3 client")
    p.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local emulator)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log progress to stderr")
    p.add_argument("--log-format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_merge)


def cmd_merge(args: argparse.Namespace) -> int:
    from dynaguard.cli.scan_run import write_result
    from dynaguard.engine import new_run_id
    from dynaguard.logs import setup_logging
    from dynaguard.merge import merge_reports
    from dynaguard.model import Severity
    from dynaguard.sources.aws.options import AwsOptions
    from dynaguard.sources.aws.session import AwsSession

    run_id = new_run_id()
    setup_logging(args.verbose, args.log_format, run_id)
    options = AwsOptions(
        regions=(args.region,) if args.region else (),
        profile=args.profile,
        endpoint_url=args.endpoint_url,
    )
    sessions: list[AwsSession] = []

    def s3_client() -> Any:
        if not sessions:
            sessions.append(AwsSession(options, run_id))
        return sessions[0].client("s3", sessions[0].home_region)

    result = merge_reports(args.inputs, run_id, s3_client)
    try:
        write_result(result, args, options)
        return result.exit_code(Severity(args.fail_on))
    finally:
        result.spool.close()
