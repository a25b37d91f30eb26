"""Background work: monthly report packs leave the request cycle (``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from .services import make_pack


@task()
def report_pack_task(pack_id: int) -> None:
    make_pack(pack_id)
