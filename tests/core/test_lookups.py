"""field__any_of: the same rows as __in, however many values, on both engines."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfdirect.people.models import Person


def test_any_of_finds_the_same_rows_as_in_by_id_foreign_key_and_text(world):
    people = list(Person.objects.order_by("pk"))
    some = [p.pk for p in people[::2]]
    assert len(some) >= 2
    assert set(Person.objects.filter(pk__any_of=some)) == set(Person.objects.filter(pk__in=some))
    authority = world.north.authority
    assert (
        Person.objects.filter(authority__any_of=[authority.pk]).count()
        == Person.objects.filter(authority=authority).count()
    )
    assert (
        Person.objects.filter(authority_id__any_of=[authority.pk]).count()
        == Person.objects.filter(authority=authority).count()
    )
    names = [people[0].family_name, "nobody-by-this-name"]
    assert set(Person.objects.filter(family_name__any_of=names)) == set(
        Person.objects.filter(family_name__in=names)
    )
    assert not Person.objects.filter(pk__any_of=[]).exists()
    assert not Person.objects.filter(family_name__any_of=[]).exists()
    assert Person.objects.exclude(pk__any_of=[]).count() == len(people)
    assert set(Person.objects.filter(pk__any_of=[*some, None])) == set(Person.objects.filter(pk__in=some))
    assert Person.objects.exclude(pk__any_of=[*some, None]).count() == len(people) - len(some)
    assert set(Person.objects.exclude(pk__any_of=some)) == set(people) - set(
        Person.objects.filter(pk__in=some)
    )


def test_any_of_sends_thousands_of_values_as_one_parameter(world):
    many = list(range(1, 5001))
    with CaptureQueriesContext(connection) as queries:
        found = Person.objects.filter(pk__any_of=many).count()
    assert found == Person.objects.filter(pk__lte=5000).count()
    [query] = queries.captured_queries
    # One array (PostgreSQL) or one JSON text (SQLite), not a placeholder per value.
    assert "= ANY(" in query["sql"] or "json_each(" in query["sql"]
    assert "IN (1, 2, 3" not in query["sql"]
