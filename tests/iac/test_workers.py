"""The worker pool: a task that crashes, overruns or eats memory costs only that task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dynaguard.sources.iac import workers
from dynaguard.sources.iac.files import IacLimits
from dynaguard.sources.iac.workers import Failed, Task, run_tasks
from tests.iac import worker_tasks

LIMITS = IacLimits(timeout_s=3, memory_mb=200, jobs=2)


@pytest.fixture(params=["fork", "forkserver"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    method = str(request.param)
    monkeypatch.setattr(workers, "start_method", lambda: method)
    return method


def test_results_come_back_in_order(start_method: str) -> None:
    tasks = [Task(f"t{i}", worker_tasks.double, (i,)) for i in range(20)]
    assert run_tasks(tasks, LIMITS) == [i * 2 for i in range(20)]


def test_a_crash_costs_only_its_task_and_a_fresh_worker_follows(start_method: str) -> None:
    tasks = [
        Task("before", worker_tasks.double, (1,)),
        Task("crash.tf", worker_tasks.abort),
        Task("after", worker_tasks.double, (2,)),
        Task("pid", worker_tasks.pid),
    ]
    results = run_tasks(tasks, IacLimits(timeout_s=10, memory_mb=200, jobs=1))
    assert results[0] == 2 and results[2] == 4
    assert results[1] == Failed("crash.tf", "the parser crashed (signal SIGABRT)")
    assert results[3] != os.getpid()


def test_a_task_over_time_is_killed(start_method: str) -> None:
    started = time.monotonic()
    results = run_tasks(
        [Task("slow", worker_tasks.sleep, (60,)), Task("quick", worker_tasks.double, (3,))],
        IacLimits(timeout_s=1, memory_mb=200, jobs=2),
    )
    assert results == [Failed("slow", "did not finish within 1 s (--parse-timeout)"), 6]
    assert time.monotonic() - started < 30


def test_a_task_over_memory_is_stopped(start_method: str) -> None:
    results = run_tasks(
        [Task("hog", worker_tasks.hog_memory), Task("ok", worker_tasks.double, (4,))], LIMITS
    )
    assert results == [
        Failed("hog", "went over the memory limit of 200 MB (--parse-memory)"),
        8,
    ]


def test_an_exception_of_ours_is_one_line() -> None:
    (result,) = run_tasks([Task("bug", worker_tasks.fail)], LIMITS)
    assert result == Failed("bug", "could not be read (KeyError: 'a bug of ours')")


def test_a_result_that_cannot_travel_is_reported() -> None:
    (result,) = run_tasks([Task("odd", worker_tasks.unpicklable)], LIMITS)
    assert isinstance(result, Failed) and "could not be returned" in result.reason


def test_go_loaded_in_the_parent_means_no_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tfparse", object())
    assert workers.start_method() == "forkserver"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_killing_the_parent_leaves_no_worker(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = (
        "from dynaguard.sources.iac.workers import Task, run_tasks\n"
        "from dynaguard.sources.iac.files import IacLimits\n"
        "from tests.iac import worker_tasks\n"
        f"run_tasks([Task(str(i), worker_tasks.write_pid_then_sleep, ({str(pids)!r},))"
        " for i in range(2)], IacLimits(timeout_s=600, jobs=2))\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_read_pids(pids)) < 2:
        time.sleep(0.1)
    children = _read_pids(pids)
    assert len(children) == 2 and all(_alive(p) for p in children)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(p) for p in children):
        time.sleep(0.1)
    assert not any(_alive(p) for p in children)


def _read_pids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def test_units_cross_the_process_boundary_unchanged() -> None:
    import pickle

    from dynaguard.sources.iac.units import document, terraform_root
    from tests.iac.conftest import FIXTURES

    for result in (
        terraform_root(FIXTURES / "terraform" / "fail", None, ()),
        document(FIXTURES / "cloudformation" / "pass.yaml", True, 10**7),
        document(FIXTURES / "plan" / "unknown.json", True, 10**7),
    ):
        assert result.declared is not None and result.declared.tables
        assert pickle.loads(pickle.dumps(result)) == result
