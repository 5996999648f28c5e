"""``scan_iac``: the library entry point of ``dynaguard iac``.

discover files -> load (Terraform roots in parallel, plans, templates) -> one Inventory ->
the same controls and evaluator as the live scan -> Report. Input problems (a file that does
not parse, a suppression without a reason) are reported beside the findings; they never stop
the scan of the other files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dynaguard.config import Config
from dynaguard.engine import choose_controls, new_run_id, report_from_inventory, resolve_config
from dynaguard.exit_codes import EXIT_INCOMPLETE, EXIT_OK
from dynaguard.model import Severity
from dynaguard.report import Finding, Report, utc_now
from dynaguard.sources.iac.declared import Declared, inventory_of
from dynaguard.sources.iac.discovery import discover
from dynaguard.sources.iac.problems import InputProblem

Loader = Callable[[Path], tuple[Declared | None, list[InputProblem]]]


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


def load_units(
    paths: Sequence[Path], var_files: Sequence[Path] = ()
) -> tuple[list[Declared], list[InputProblem], list[str]]:
    """Every unit of code under ``paths``, the input problems met, and notices."""
    inputs = discover(paths)
    units: list[Declared] = []
    problems = list(inputs.problems)
    if inputs.terraform:
        from dynaguard.sources.terraform.adapter import load_terraform

        tf_units, tf_problems = load_terraform(inputs.terraform, list(var_files))
        units += tf_units
        problems += tf_problems
    for loader, files in _other_loaders(inputs.plans, inputs.templates):
        for path in files:
            unit, found = loader(path)
            problems += found
            if unit is not None:
                units.append(unit)
    for unit in units:
        problems += unit.problems
    return units, problems, list(inputs.notices)


def _other_loaders(plans: list[Path], templates: list[Path]) -> Iterable[tuple[Loader, list[Path]]]:
    if plans:
        from dynaguard.sources.terraform.adapter import load_plan

        yield load_plan, plans
    if templates:
        from dynaguard.sources.cloudformation.adapter import load_cloudformation
        from dynaguard.sources.cloudformation.nested_stacks import scanned_alone

        yield load_cloudformation, scanned_alone(templates)


def without_placeholders(report: Report) -> Report:
    """Findings say ``account_id`` / ``region`` null where the code does not tell them: the
    stand-ins the model needs (``IAC_ACCOUNT``, ``UNKNOWN_REGION``) never reach a report."""
    from dataclasses import replace

    from dynaguard.sources.iac.declared import IAC_ACCOUNT, UNKNOWN_REGION

    def clean(f: Finding) -> Finding:
        account = None if f.account_id == IAC_ACCOUNT else f.account_id
        region = None if f.region == UNKNOWN_REGION else f.region
        if (account, region) == (f.account_id, f.region):
            return f
        return replace(f, account_id=account, region=region)

    return replace(report, findings=tuple(clean(f) for f in report.findings))


def scan_iac(
    paths: Sequence[str | Path],
    *,
    config: Config | str | Path | None = None,
    controls: Iterable[str] | None = None,
    var_files: Sequence[str | Path] = (),
    run_id: str | None = None,
) -> IacResult:
    """Audit infrastructure code: Terraform (HCL and plan JSON) and CloudFormation."""
    cfg = resolve_config(config)
    selected = choose_controls(cfg, controls)
    started_at, started = utc_now(), time.perf_counter()
    units, problems, notices = load_units([Path(p) for p in paths], [Path(v) for v in var_files])
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
