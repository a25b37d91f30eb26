"""The people import writes in batches, in one short transaction (issue 17.4), and writes what it
wrote a row at a time: each person with the reference next_reference would give, a history row with
who and why, and an audit event with the person's fields."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction, Role
from selfdirect.core.models import AuditEvent
from selfdirect.people import services
from selfdirect.people.models import Person

HEADER = "reference,given_name,family_name,date_of_birth,address_line_1,town,postcode,client_group,primary_support_reason,team\n"
ROW = "{ref},Grace{n},Hall,1948-03-27,{n} Mill Lane,Kelby,NX4 4TF,older,physical,Home team\n"


def test_references_follow_on_as_one_at_a_time_and_skip_those_in_the_file(world):
    side = world.north
    held = Person.objects.filter(authority=side.authority).count()
    taken = f"NO{held + 3:06d}"  # the reference the second person without one would otherwise get
    text = HEADER + "".join(ROW.format(ref=ref, n=n) for n, ref in enumerate(["", taken, "", ""]))
    created = services.import_people(side.users[Role.ADMIN], side.authority, text, "Transfer")
    assert [p.reference for p in created] == [
        f"NO{held + 1:06d}",
        taken,
        f"NO{held + 4:06d}",
        f"NO{held + 5:06d}",
    ]
    assert all(p.pk for p in created)


def test_each_person_has_a_history_row_and_an_audit_event_as_before(world):
    side = world.north
    admin = side.users[Role.ADMIN]
    text = HEADER + "".join(ROW.format(ref="", n=n) for n in range(3))
    created = services.import_people(admin, side.authority, text, "Transfer from the old system")
    for person in created:
        history = list(person.history.all())
        assert [(h.history_type, h.history_user, h.history_change_reason) for h in history] == [
            ("+", admin, "Transfer from the old system")
        ]
        assert history[0].reference == person.reference and history[0].team == side.home_team
        event = AuditEvent.objects.get(object_type="people.person", object_id=str(person.pk))
        assert (event.action, event.actor, event.person_id, event.reason) == (
            AuditAction.IMPORT,
            admin,
            person.pk,
            "Transfer from the old system",
        )
        assert event.changes == audit.diff({}, audit.snapshot(person, services.PERSON_AUDIT_FIELDS))
        assert event.changes["team"] == [None, "Home team"]


def test_the_write_is_a_few_statements_per_batch_not_several_per_person(world, settings):
    side = world.north
    text = HEADER + "".join(ROW.format(ref="", n=n) for n in range(services.IMPORT_BATCH + 10))
    with CaptureQueriesContext(connection) as queries:
        created = services.import_people(side.users[Role.ADMIN], side.authority, text, "Transfer")
    assert len(created) == services.IMPORT_BATCH + 10
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    # Two batches, each: people, their history rows, their audit events (SQLite splits an insert
    # further, by its limit on parameters: still dozens of rows an insert, where it was three a row).
    assert 6 <= len(inserts) <= len(created) // 10
