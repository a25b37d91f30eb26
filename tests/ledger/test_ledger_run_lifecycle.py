"""A payment run is a background run like every other (core.runs): started by its service, which
alone hands it to the worker, once its row commits; moved through core.runs' one status table; held
by its worker under a lease of its own, which each batch renews."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from ledger_support import make_budget

from helpers import client_for, make_person, token_for
from selfdirect.core.constants import Role
from selfdirect.core.runs import RunStatus
from selfdirect.ledger import services, tasks
from selfdirect.ledger.models import Payment, PaymentRun

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued(settings):
    """What the pages and the API hand to the worker, with the worker's id for each."""
    from django_tasks import default_task_backend

    settings.TASKS = DUMMY
    default_task_backend.clear()
    yield default_task_backend.results
    default_task_backend.clear()


def _api(world, method, url, body=None):
    side = world.north
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(side.users[Role.FINANCE], side.authority)}"}
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    return getattr(Client(), method)(f"/api/v1/ledger{url}", **kwargs, **headers)


def test_the_page_and_the_api_hand_a_run_to_the_worker_once_it_commits(
    world, queued, django_capture_on_commit_callbacks
):
    make_budget(world.north.self_person)
    finance = client_for(world.north.users[Role.FINANCE])
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        assert finance.post("/money/runs/", {"period": "2026-04"}).status_code == 302
        assert not queued  # nothing goes to the worker while the run's row is uncommitted
    assert len(waiting) == 1
    waiting[0]()
    run = PaymentRun.objects.get()
    assert [list(r.args) for r in queued] == [[run.pk]] and run.task_id == str(queued[0].id)
    assert run.status == RunStatus.QUEUED

    # The API starts the same run the same way (it used to enqueue it again, differently).
    with django_capture_on_commit_callbacks(execute=True):
        response = _api(world, "post", "/runs", {"period": "2026-04"})
    assert response.status_code == 202 and response.json()["status"] == "queued"
    run.refresh_from_db()
    assert [list(r.args) for r in queued] == [[run.pk], [run.pk]] and run.task_id == str(queued[1].id)

    # A worker paying it holds it: starting it again hands nothing more to the worker.
    services.execute_run(run.pk)
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, lease_expires_at=timezone.now() + dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert finance.post("/money/runs/", {"period": "2026-04"}).status_code == 302
    assert len(queued) == 2


def test_the_cli_and_the_demo_pay_in_line_and_hand_nothing_to_the_worker(world, queued):
    make_budget(world.north.self_person)
    run = services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04")
    assert services.execute_run(run.pk).status == RunStatus.DONE
    assert not queued


def test_a_worker_holds_a_run_under_its_own_lease_and_another_takes_over_once_it_expires(world):
    make_budget(world.north.self_person)
    finance = world.north.users[Role.FINANCE]
    run = services.start_run(finance, world.north.authority, "2026-04")
    started = timezone.now()
    # A worker that took the run and died: its lease is live for two minutes.
    PaymentRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, lease_expires_at=started + services.RUN_LEASE
    )
    with pytest.raises(services.RunBusy):
        services.execute_run(run.pk)
    assert tasks.pay_run.call(run.pk) == -1
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.finished_at is None
    with time_machine.travel(started + services.RUN_LEASE + dt.timedelta(seconds=1)):
        run = services.execute_run(run.pk)
        assert run.status == RunStatus.DONE and run.paid_count == 1
        assert run.finished_at is not None and run.lease_expires_at > run.finished_at  # renewed per batch


def test_a_finished_run_started_again_pays_what_fell_due_since_and_finishes_again(world):
    finance = world.north.users[Role.FINANCE]
    make_budget(world.north.self_person)
    run = services.execute_run(services.start_run(finance, world.north.authority, "2026-04").pk)
    assert run.status == RunStatus.DONE and run.paid_count == 1 and run.attempts == 1
    late = make_person(world.north.authority, world.north.home_team, "Late", "Agreed")
    make_budget(late)  # agreed after April's run, back-dated to 1 April
    run = services.execute_run(run.pk)
    assert run.status == RunStatus.DONE and run.paid_count == 2 == Payment.objects.count()
    assert run.attempts == 2


def test_a_run_refused_by_its_closed_month_fails_but_a_finished_one_stays_finished(world):
    finance = world.north.users[Role.FINANCE]
    make_budget(world.north.self_person)
    april = services.execute_run(services.start_run(finance, world.north.authority, "2026-04").pk)
    services.close_period(finance, world.north.authority, "2026-04")
    with pytest.raises(services.RunRefused, match="April 2026 is closed"):
        services.execute_run(april.pk)
    april.refresh_from_db()
    assert april.status == RunStatus.DONE and april.error == ""
