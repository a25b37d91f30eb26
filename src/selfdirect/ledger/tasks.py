"""Payment runs leave the request cycle: the page enqueues this, the worker pays."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def pay_run(run_id: int) -> int:
    """Pay a run's unpaid instalments; returns how many are paid in all."""
    try:
        run = services.execute_run(run_id)
    except services.RunBusy:
        return -1
    except services.RunRefused:  # the month was closed after the run was queued: the run says so
        return -1
    return run.paid_count
