"""``scan_iac``: the library entry point of ``dynaguard iac``.

The units of code under the paths (``sources.iac.load``: discovery, parsing in worker
processes under limits, input problems) -> one Inventory -> the same controls and evaluator as
the live scan -> Report. Input problems are reported beside the findings and make an otherwise
clean run incomplete. It lives beside ``engine`` rather than in ``sources``: a source reads
code into the model and never reaches up into the controls or the engine.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dynaguard.config import Config
from dynaguard.engine import choose_controls, new_run_id, report_from_inventory, resolve_config
from dynaguard.exit_codes import EXIT_INCOMPLETE, EXIT_OK
from dynaguard.model import Severity
from dynaguard.report import Report, utc_now
from dynaguard.sources.iac.declared import inventory_of
from dynaguard.sources.iac.files import IacLimits
from dynaguard.sources.iac.load import check_var_files, load_units, without_placeholders
from dynaguard.sources.iac.problems import InputProblem


@dataclass(frozen=True, slots=True)
class IacResult:
    report: Report
    problems: tuple[InputProblem, ...]

    def exit_code(self, fail_on: Severity = Severity.LOW) -> int:
        """As for scan; an input problem makes an otherwise clean run incomplete (3)."""
        code = self.report.exit_code(fail_on)
        if code == EXIT_OK and self.problems:
            return EXIT_INCOMPLETE
        return code


def scan_iac(
    paths: Sequence[str | Path],
    *,
    config: Config | str | Path | None = None,
    controls: Iterable[str] | None = None,
    var_files: Sequence[str | Path] = (),
    run_id: str | None = None,
    limits: IacLimits | None = None,
) -> IacResult:
    """Audit infrastructure code: Terraform (HCL and plan JSON) and CloudFormation."""
    cfg = resolve_config(config)
    selected = choose_controls(cfg, controls)
    limits = limits or cfg.iac
    var_paths = [Path(v) for v in var_files]
    check_var_files(var_paths, limits)
    started_at, started = utc_now(), time.perf_counter()
    units, problems, notices = load_units([Path(p) for p in paths], var_paths, limits)
    inventory = inventory_of(units)
    stats = {
        "elapsed_s": round(time.perf_counter() - started, 3),
        "units": len(units),
        "tables": sum(len(u.tables) for u in units),
        "input_problems": len(problems),
    }
    report = without_placeholders(
        report_from_inventory(inventory, selected, cfg, run_id or new_run_id(), stats, started_at)
    )
    if problems or notices:
        from dataclasses import replace

        extra = tuple(notices) + tuple(p.describe() for p in problems)
        report = replace(report, notices=report.notices + extra)
    return IacResult(report, tuple(problems))
