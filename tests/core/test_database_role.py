"""On PostgreSQL the application acts as a role that owns no table (core/dbroles.py), so it cannot
switch the database's own rules off: the suite itself runs as such a role (tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from browser_support import as_owner
from selfdirect.core import dbroles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("roles are PostgreSQL's (set DATABASE_URL=postgres://...)")


def test_the_suite_acts_as_a_role_that_owns_no_table():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, session_user")
        current, session = cursor.fetchone()
    assert current == "selfdirect_test_app" and session != current
    assert dbroles.owns_nothing(connection)


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE ledger_leg DISABLE TRIGGER ALL",
        "DROP TRIGGER ledger_leg_no_change ON ledger_leg",
        "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change",
        "DROP TABLE ledger_closeline",
        "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    ],
)
def test_the_application_cannot_switch_the_rules_off(statement):
    refused = pytest.raises(DatabaseError, match="must be owner|permission denied")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_grant_app_role_refuses_a_bad_name_and_grants_a_good_one(capsys):
    with pytest.raises(CommandError, match="must be letters, digits and underscores"):
        call_command("grant_app_role", "app; DROP TABLE x")
    with as_owner(), connection.cursor() as cursor:  # as a deployment would: the owner grants
        cursor.execute("SELECT has_table_privilege('selfdirect_test_app', 'ledger_leg', 'TRUNCATE')")
        assert cursor.fetchone()[0]  # the suite's own role may empty its tables; the application's may not
        call_command("grant_app_role", "selfdirect_grant_check", "--create")
        cursor.execute(
            "SELECT has_table_privilege('selfdirect_grant_check', 'ledger_leg', 'INSERT'), "
            "has_table_privilege('selfdirect_grant_check', 'ledger_leg', 'TRUNCATE'), "
            "has_sequence_privilege('selfdirect_grant_check', 'ledger_leg_id_seq', 'USAGE')"
        )
        assert cursor.fetchone() == (True, False, True)
    assert "selfdirect_grant_check may read and write every table, and owns none" in capsys.readouterr().out
