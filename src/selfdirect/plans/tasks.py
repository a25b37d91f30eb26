"""Background work for plans (``manage.py db_worker`` runs it): ending plans whose withdrawal notice
has run out. The steps are made by the system (actor None, "system" in the audit log)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .services import end_withdrawn_plans


@task()
def end_withdrawn_plans_task(on: str | None = None) -> list[str]:
    """End plans whose notice ran out by ``on`` (YYYY-MM-DD, default today); one line per plan."""

    day = dt.date.fromisoformat(on) if on else None
    return [f"plan {r.plan_id}: {r.outcome}" for r in end_withdrawn_plans(today=day)]
