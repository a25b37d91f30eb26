import pytest
from django.db import DatabaseError, connection, transaction

from helpers import client_for
from selfdirect.core.constants import Role
from selfdirect.core.models import AuditEvent
from selfdirect.people import services


def test_changes_record_who_what_and_why(world):
    admin = world.north.users[Role.ADMIN]
    person = world.north.caseload_person
    changes = services.update_person(
        admin, person, {"postcode": "NX9 9ZZ", "phone": "01632 111111"}, "Moved house"
    )
    assert changes == {"postcode": ["NX1 1AA", "NX9 9ZZ"], "phone": ["", "01632 111111"]}
    event = AuditEvent.objects.get(person_id=person.pk)
    assert (event.actor, event.action, event.reason) == (admin, "change", "Moved house")
    assert event.changes["postcode"] == ["NX1 1AA", "NX9 9ZZ"]
    assert event.authority == world.north.authority


def test_a_change_that_changes_nothing_writes_nothing(world):
    person = world.north.caseload_person
    assert services.update_person(None, person, {"postcode": "NX1 1AA"}, "No-op") == {}
    assert not AuditEvent.objects.filter(person_id=person.pk).exists()


def test_an_audited_change_needs_a_reason(world):
    with pytest.raises(ValueError):
        services.update_person(None, world.north.caseload_person, {"postcode": "NX2 2BB"}, "  ")
    world.north.caseload_person.refresh_from_db()
    assert world.north.caseload_person.postcode == "NX1 1AA"


def test_the_log_refuses_edits_in_code(world):
    services.update_person(None, world.north.caseload_person, {"postcode": "NX2 2BB"}, "Moved")
    event = AuditEvent.objects.get()
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_edits_too(world):
    services.update_person(None, world.north.caseload_person, {"postcode": "NX2 2BB"}, "Moved")
    for sql in ["UPDATE core_auditevent SET reason = 'rewritten'", "DELETE FROM core_auditevent"]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get().reason == "Moved"


def test_allocation_and_representatives_are_audited_and_shown_on_the_history_page(world):
    admin = world.north.users[Role.ADMIN]
    person = world.north.other_person
    services.allocate(
        admin, person, world.north.home_team, world.north.users[Role.ASSESSOR], "Needs an assessor"
    )
    rep = services.save_representative(
        admin, person, {"name": "Lee Khan", "type": "attorney", "starts_on": "2026-01-01"}, "LPA registered"
    )
    services.delete_representative(admin, rep, "LPA revoked")
    events = list(AuditEvent.objects.filter(person_id=person.pk).order_by("id"))
    assert [e.action for e in events] == ["allocate", "create", "delete"]
    assert events[0].changes["team"] == ["Other team", "Home team"]
    html = client_for(admin).get(f"/people/{person.pk}/history/").content.decode()
    for text in ["Needs an assessor", "LPA registered", "LPA revoked", "Home team"]:
        assert text in html


def test_history_survives_deleting_the_person(world):
    admin = world.north.users[Role.ADMIN]
    pk = world.north.other_person.pk
    services.delete_person(admin, world.north.other_person, "Duplicate record")
    event = AuditEvent.objects.get(person_id=pk)
    assert event.action == "delete" and event.changes["family_name"][0] == "Khan-northshire"
    assert "Khan-northshire" in client_for(admin).get("/audit/").content.decode()
