"""core.runs: every kind of background run moves through one table of statuses, and is handed to the
worker only once its row is committed."""

from __future__ import annotations

import pytest
from django.test import override_settings

from selfdirect.core import runs
from selfdirect.core.constants import Role
from selfdirect.core.runs import RunMoveRefused, RunStatus
from selfdirect.extracare import services as extracare
from selfdirect.extracare.constants import RunKind
from selfdirect.extracare.models import AnalysisRun
from selfdirect.reporting.models import ReportPack

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def pack(world):
    return ReportPack.objects.create(authority=world.north.authority, period="2026-10")


def status(run):
    run.refresh_from_db()
    return run.status


def test_a_run_goes_queued_running_done_and_a_finished_run_is_final(pack):
    runs.start(ReportPack, pack.pk)
    assert status(pack) == RunStatus.RUNNING
    runs.finish(ReportPack, pack.pk, size_bytes=12)
    assert status(pack) == RunStatus.DONE and pack.size_bytes == 12 and pack.finished_at is not None
    for move in (lambda: runs.start(ReportPack, pack.pk), lambda: runs.finish(ReportPack, pack.pk)):
        with pytest.raises(RunMoveRefused, match=f"ReportPack {pack.pk} is done: it cannot become"):
            move()
    with pytest.raises(RunMoveRefused):
        runs.fail(ReportPack, pack.pk, "late")
    assert status(pack) == RunStatus.DONE and pack.error == ""


def test_a_failed_run_keeps_why_and_may_start_again_which_clears_it(pack):
    runs.start(ReportPack, pack.pk)
    runs.fail(ReportPack, pack.pk, "The printer is out of paper " + "x" * 3000)
    assert status(pack) == RunStatus.FAILED and pack.error.startswith("The printer") and len(pack.error) == 2000
    runs.start(ReportPack, pack.pk)
    assert status(pack) == RunStatus.RUNNING and pack.error == ""


def test_a_queued_run_cannot_finish_without_starting(pack):
    with pytest.raises(RunMoveRefused, match="is queued"):
        runs.finish(ReportPack, pack.pk)
    with pytest.raises(RunMoveRefused, match="is missing"):
        runs.start(ReportPack, pack.pk + 1000)


def test_the_table_names_every_status_and_only_them():
    assert set(runs.TRANSITIONS) == set(RunStatus.values)
    assert all(targets <= set(RunStatus.values) for targets in runs.TRANSITIONS.values())
    assert runs.TRANSITIONS[RunStatus.DONE] == frozenset()


@override_settings(TASKS=DUMMY)
def test_progress_writes_only_the_fields_a_kind_keeps(world):
    scheme = extracare.create_from_seed(world.north.users[Role.COMMISSIONER], world.north.authority)
    run = AnalysisRun.objects.create(
        authority=scheme.authority, scheme=scheme, version=scheme.current, kind=RunKind.SWEEP, total=1
    )
    runs.start(AnalysisRun, run.pk)
    run.refresh_from_db()
    assert run.started_at is not None and run.done == 0
    runs.progress(AnalysisRun, run.pk, 12, 40, stage="ignored: an analysis run keeps no stage")
    run.refresh_from_db()
    assert (run.done, run.total, run.percent) == (12, 40, 30)


@override_settings(TASKS=DUMMY)
def test_the_worker_is_handed_the_run_only_when_its_row_commits(world, django_capture_on_commit_callbacks):
    scheme = extracare.create_from_seed(world.north.users[Role.COMMISSIONER], world.north.authority)
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        run = extracare.start_run(None, scheme, RunKind.SIMULATION, {"days": 3})
        assert run.task_id == ""  # nothing has gone to the worker while the row is uncommitted
    assert len(waiting) == 1
    waiting[0]()
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.task_id  # the worker's id for it is kept
