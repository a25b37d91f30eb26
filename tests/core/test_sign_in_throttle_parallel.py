"""Sign-in throttling holds under parallel requests (issue 17.3): of many wrong passwords sent at
once at most the limit are checked, and the right password sent in the same burst is refused once
the account is locked. Real threads, each with its own database connection and real commits, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client

from helpers import PASSWORD
from selfdirect.core.models import FailedLogin

WRONG = 20
WAIT = 60  # seconds: only ever waited out if the code under test is wrong


class Gate:
    """Holds every check of a wrong password until released, so that the whole burst is in flight
    at once; counts the checks that began."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Condition()
        self.checked = 0
        self.answered: Counter[int] = Counter()

    def checking(self) -> None:
        with self.lock:
            self.checked += 1
            self.lock.notify_all()

    def answer(self, status: int) -> None:
        with self.lock:
            self.answered[status] += 1
            self.lock.notify_all()

    def wait_for(self, condition) -> None:
        with self.lock:
            assert self.lock.wait_for(condition, timeout=WAIT), (self.checked, self.answered)


@pytest.fixture
def gate(monkeypatch) -> Gate:
    gate = Gate()
    real = ModelBackend.authenticate

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password != PASSWORD:
            gate.checking()
            gate.release.wait(WAIT)
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", authenticate)
    return gate


def sign_in(username: str, password: str, start: threading.Barrier | None = None) -> tuple[int, bool]:
    client = Client(REMOTE_ADDR="203.0.113.9")
    try:
        if start is not None:
            start.wait(WAIT)
        response = client.post("/sign-in/", {"username": username, "password": password})
        return response.status_code, "_auth_user_id" in client.session
    finally:
        connection.close()  # this thread's own connection


def test_a_burst_of_wrong_passwords_checks_at_most_the_limit_and_locks_out_the_right_one(
    browser_world, gate, settings
):
    limit = settings.LOGIN_FAILURE_LIMIT
    username = browser_world.north.users["finance"].username
    start = threading.Barrier(WRONG)
    results: list[tuple[int, bool]] = []

    def guess(n: int) -> None:
        status, signed_in = sign_in(username, f"guess-{n}", start)
        results.append((status, signed_in))
        gate.answer(status)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(WRONG)]
    for thread in threads:
        thread.start()
    try:
        # Every guess has either reached the password check (and is held there) or been refused.
        gate.wait_for(lambda: gate.checked + sum(gate.answered.values()) >= WRONG)
        assert gate.checked == limit
        assert gate.answered == Counter({429: WRONG - limit})
        # The right password, sent while the checked guesses are still in flight, is refused.
        assert sign_in(username, PASSWORD) == (429, False)
    finally:
        gate.release.set()
        for thread in threads:
            thread.join(WAIT)
    assert Counter(status for status, _ in results) == Counter({400: limit, 429: WRONG - limit})
    assert not any(signed_in for _, signed_in in results)
    assert FailedLogin.objects.filter(username=username).count() == limit
    # Still locked after the burst: the right password waits out the window.
    assert sign_in(username, PASSWORD) == (429, False)


def test_a_right_password_among_the_first_attempts_signs_in_and_clears_the_count(
    browser_world, gate, settings
):
    username = browser_world.north.users["assessor"].username
    gate.release.set()
    for n in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert sign_in(username, f"guess-{n}") == (400, False)
    assert sign_in(username, PASSWORD) == (302, True)
    assert not FailedLogin.objects.filter(username=username).exists()
    # An empty password is not a guess: it is neither checked nor counted.
    assert sign_in(username, "") == (400, False)
    assert not FailedLogin.objects.exists()
