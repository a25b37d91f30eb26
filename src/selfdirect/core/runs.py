"""Background runs, one way for every kind (what-ifs, Extra Care analyses, report packs, payment
runs): a run row is created by a service, handed to the task worker by :func:`enqueue` once the
row is committed, and moved through one table of statuses by :func:`start`, :func:`progress`,
:func:`finish` and :func:`fail`, which the run's task calls. A services module names its task by
dotted path, so it never imports its tasks module (the tasks module calls the services).

Each kind of run says which of its fields hold what, as ``RUN_FIELDS`` on its model::

    class WhatIfRun(models.Model):
        RUN_FIELDS = runs.Fields(done="progress", total="steps", stage="stage")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string


class RunStatus(models.TextChoices):
    """The statuses of every kind of background run."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Stopped before the end"


# The one table of permitted moves. A running run may be marked running again (its worker died and
# another picks it up); a failed one may be started again; a finished one is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.RUNNING, RunStatus.DONE, RunStatus.FAILED}),
    RunStatus.FAILED: frozenset({RunStatus.RUNNING}),
    RunStatus.DONE: frozenset(),
}
# The one move outside the table, for a kind of run that says so (Fields.again): a finished run
# started again. A month's payment run does, to pay what fell due in its month after it finished.
AGAIN: dict[str, frozenset[str]] = {RunStatus.DONE: frozenset({RunStatus.RUNNING})}


class RunMoveRefused(Exception):
    """The run is not in a status from which it may move there (e.g. finishing a finished run)."""


@dataclass(frozen=True)
class Fields:
    """Where a kind of run keeps each thing (None: it does not keep it)."""

    status: str = "status"
    error: str = "error"
    finished_at: str = "finished_at"
    started_at: str | None = None
    done: str | None = None
    total: str | None = None
    stage: str | None = None
    task_id: str | None = None
    again: bool = False  # a finished run may be started again (AGAIN)


def _fields(model: type[models.Model]) -> Fields:
    return getattr(model, "RUN_FIELDS", Fields())


def enqueue(run: models.Model, task: str, *args: Any) -> None:
    """Hand ``run`` to the worker: its task (by dotted path, e.g. "selfdirect.reporting.tasks.make")
    is enqueued with the run's id (and ``args``) once the current transaction commits, so the worker
    always finds the row; the task's id is kept where the run keeps one."""
    model, pk = type(run), run.pk
    fields = _fields(model)

    def send() -> None:
        result = import_string(task).enqueue(pk, *args)
        if fields.task_id:
            model._default_manager.filter(pk=pk).update(**{fields.task_id: str(result.id)[:64]})

    transaction.on_commit(send)


def move(model: type[models.Model], pk: Any, to: str, **values: Any) -> None:
    """Move the run ``pk`` to status ``to`` with ``values``, in one UPDATE that only matches a run in
    a status the table lets move there (so two workers never both finish one run)."""
    fields = _fields(model)
    table = [TRANSITIONS, AGAIN] if fields.again else [TRANSITIONS]
    sources = [status for moves in table for status, targets in moves.items() if to in targets]
    moved = model._default_manager.filter(pk=pk, **{f"{fields.status}__in": sources}).update(
        **{fields.status: to}, **values
    )
    if not moved:
        current = model._default_manager.filter(pk=pk).values_list(fields.status, flat=True).first()
        raise RunMoveRefused(f"{model.__name__} {pk} is {current or 'missing'}: it cannot become {to}")


def start(model: type[models.Model], pk: Any, **values: Any) -> None:
    """The run is running; ``values`` are what its worker sets as it starts (a lease, a count)."""
    fields = _fields(model)
    values = {fields.error: "", **values}
    if fields.started_at:
        values[fields.started_at] = timezone.now()
    if fields.done:
        values[fields.done] = 0
    move(model, pk, RunStatus.RUNNING, **values)


def progress(model: type[models.Model], pk: Any, done: int, total: int | None = None, stage: str = "") -> None:
    """How far the run has got (what its status page and the API show)."""
    fields = _fields(model)
    values: dict[str, Any] = {}
    if fields.done:
        values[fields.done] = done
    if fields.total and total is not None:
        values[fields.total] = total
    if fields.stage and stage:
        values[fields.stage] = stage[:200]
    if values:
        model._default_manager.filter(pk=pk).update(**values)


def finish(model: type[models.Model], pk: Any, **values: Any) -> None:
    """The run is done; ``values`` are what it leaves (its result, counts)."""
    move(model, pk, RunStatus.DONE, **{_fields(model).finished_at: timezone.now()}, **values)


def fail(model: type[models.Model], pk: Any, error: str) -> None:
    """The run stopped; ``error`` says why, in words its page shows."""
    fields = _fields(model)
    move(model, pk, RunStatus.FAILED, **{fields.error: error[:2000], fields.finished_at: timezone.now()})
