"""A notebook whose kernel dies while starting, before it replies to kernel_info, is started once
more (report.run._execute; seen once in about forty benchmark builds). A failure in a cell, a
start that times out, or a kernel that dies again, is reported as before."""

from __future__ import annotations

import pytest

from wwc_analysis.report import run

DIED = "Kernel died before replying to kernel_info"


@pytest.fixture
def job(tmp_path):
    source = tmp_path / "01-x.ipynb"
    source.write_text("{}", encoding="utf-8")
    return {"name": "01-x", "input": str(source), "output": str(tmp_path / "out.ipynb"),
            "parameters": {}}  # fmt: skip


def _papermill_raising(monkeypatch, *errors):
    """``run._papermill`` raising ``errors`` one per call, then succeeding; returns the calls."""
    calls: list = []

    def fake(job):
        calls.append(job)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]

    monkeypatch.setattr(run, "_papermill", fake)
    return calls


def test_a_kernel_that_died_starting_is_started_again(monkeypatch, job, capsys):
    calls = _papermill_raising(monkeypatch, RuntimeError(DIED))
    outcome = run._execute(job)
    assert outcome["ok"] is True and len(calls) == 2
    assert "started again" in capsys.readouterr().err  # in the notebook's log


def test_a_kernel_that_dies_starting_twice_fails_the_run(monkeypatch, job):
    calls = _papermill_raising(monkeypatch, RuntimeError(DIED), RuntimeError(DIED))
    outcome = run._execute(job)
    assert outcome["ok"] is False and outcome["ename"] == "RuntimeError" and len(calls) == 2
    assert DIED in outcome["evalue"]


@pytest.mark.parametrize(
    "error",
    [RuntimeError("Kernel didn't respond in 60 seconds"), ValueError("something else")],
    ids=["start timed out", "other error"],
)
def test_other_failures_are_not_retried(monkeypatch, job, error):
    calls = _papermill_raising(monkeypatch, error)
    outcome = run._execute(job)
    assert outcome["ok"] is False and len(calls) == 1


def test_a_failing_cell_is_not_retried(monkeypatch, job):
    from papermill.exceptions import PapermillExecutionError

    error = PapermillExecutionError(2, 1, "x = 1 / 0", "ZeroDivisionError", "division by zero", [])
    calls = _papermill_raising(monkeypatch, error)
    outcome = run._execute(job)
    assert outcome["ok"] is False and outcome["ename"] == "ZeroDivisionError" and len(calls) == 1
