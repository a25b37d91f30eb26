"""Background work: what-if runs leave the request cycle (``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from .models import WhatIfRun
from .services import execute_what_if


@task()
def what_if_task(run_id: int) -> None:
    run = WhatIfRun.objects.select_related("base", "proposed").get(pk=run_id)
    execute_what_if(run)
