"""Every unit of infrastructure code under some paths, read into ``Declared`` units.

discover files (safely: see ``discovery``) -> plan the units (Terraform roots that can be
parsed, module checks, documents) -> parse every unit in worker processes, in parallel, each
under a time and memory limit (``workers``). Input problems (a file that does not parse, a unit
whose parser crashed or ran out of time, a suppression without a reason) are collected beside
the units; they never stop the reading of the others. ``dynaguard.iac_scan`` judges the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from dynaguard.errors import UsageError
from dynaguard.report import Finding, Report
from dynaguard.sanitize import short_repr
from dynaguard.sources.iac.declared import Declared
from dynaguard.sources.iac.discovery import Inputs, discover
from dynaguard.sources.iac.files import IacLimits, UnsafeFile, check_file
from dynaguard.sources.iac.paths import display_path
from dynaguard.sources.iac.problems import InputProblem
from dynaguard.sources.iac.units import UnitResult, document, terraform_module, terraform_root
from dynaguard.sources.iac.workers import Failed, Task, run_tasks


def load_units(
    paths: Sequence[Path], var_files: Sequence[Path] = (), limits: IacLimits | None = None
) -> tuple[list[Declared], list[InputProblem], list[str]]:
    """Every unit of code under ``paths``, the input problems met, and notices."""
    limits = limits or IacLimits()
    inputs = discover(paths, limits)
    problems, notices = list(inputs.problems), list(inputs.notices)
    tasks, labels, found = _tasks(inputs, var_files, limits)
    problems += found
    units: list[Declared] = []
    results = run_tasks(tasks, limits, _preload(inputs))
    nested = _nested_elsewhere(results)
    for task, label, result in zip(tasks, labels, results, strict=True):
        if isinstance(result, Failed):
            message = f"{result.reason} while parsing {label}: not scanned"
            problems.append(InputProblem(task.what, None, message, "input"))
        elif isinstance(result, UnitResult) and result.source not in nested:
            problems += result.problems
            notices += result.notices
            if result.declared is not None:
                units.append(result.declared)
    for unit in units:
        problems += unit.problems
    return units, problems, notices


def _nested_elsewhere(results: Sequence[object]) -> set[Path]:
    """Templates another scanned template uses as a nested stack: judged through that parent
    (with the parameters it passes), not again on their own."""
    return {
        path
        for result in results
        if isinstance(result, UnitResult)
        for path in result.nested
        if path != result.source
    }


def _tasks(
    inputs: Inputs, var_files: Sequence[Path], limits: IacLimits
) -> tuple[list[Task], list[str], list[InputProblem]]:
    """The tasks for the workers, what each parses (in words), and the problems of Terraform
    roots that cannot be parsed safely."""
    tasks: list[Task] = []
    labels: list[str] = []
    problems: list[InputProblem] = []
    if inputs.terraform:
        from dynaguard.sources.terraform.loader import terraform_work

        work = terraform_work(inputs.terraform, limits)
        problems += work.problems
        for root, wanted in work.roots:
            tasks.append(Task(display_path(root), terraform_root, (root, wanted, tuple(var_files))))
            labels.append("the Terraform module")
        for directory, call in work.module_checks:
            tasks.append(Task(display_path(directory), terraform_module, (directory, call)))
            labels.append("the Terraform module")
    for path, explicit in inputs.documents:
        tasks.append(Task(display_path(path), document, (path, explicit, limits.max_file_bytes)))
        labels.append("the file")
    return tasks, labels, problems


def _preload(inputs: Inputs) -> list[str]:
    """Modules the workers will need, imported once before they start so that they share
    them (pure Python only: tfparse stays out of the parent, see ``workers``)."""
    modules = ["dynaguard.sources.iac.units"]
    if inputs.terraform:
        modules.append("dynaguard.sources.terraform.adapter")
    if "template" in inputs.kinds:
        modules += ["dynaguard.sources.cloudformation.adapter", "cfnlint.decode"]
    if "plan" in inputs.kinds:
        modules += [
            "dynaguard.sources.terraform.adapter",
            "dynaguard.sources.terraform.plan_schema",
        ]
    return modules


def check_var_files(var_files: Iterable[Path], limits: IacLimits) -> None:
    """A ``--var-file`` that cannot be read is a usage error (exit 2), before any work."""
    for path in var_files:
        try:
            check_file(path, limits.max_file_bytes)
        except UnsafeFile as unsafe:
            reason = "not found" if not path.exists() else unsafe.reason
            raise UsageError(f"--var-file {short_repr(str(path))}: {reason}") from None


def without_placeholders(report: Report) -> Report:
    """Findings say ``account_id`` / ``region`` null where the code does not tell them: the
    stand-ins the model needs (``IAC_ACCOUNT``, ``UNKNOWN_REGION``) never reach a report."""
    from dataclasses import fields, replace
    from operator import attrgetter

    from dynaguard.sources.iac.declared import IAC_ACCOUNT, UNKNOWN_REGION

    names = [f.name for f in fields(Finding)]
    values_of = attrgetter(*names)
    at_account, at_region = names.index("account_id"), names.index("region")

    def clean(f: Finding) -> Finding:
        account = None if f.account_id == IAC_ACCOUNT else f.account_id
        region = None if f.region == UNKNOWN_REGION else f.region
        if (account, region) == (f.account_id, f.region):
            return f
        values = list(values_of(f))  # positional: ~2x dataclasses.replace, 10^5 findings
        values[at_account], values[at_region] = account, region
        return Finding(*values)

    return replace(report, findings=tuple(clean(f) for f in report.findings))
