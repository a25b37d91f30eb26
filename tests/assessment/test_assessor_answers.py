"""The assessor's answers page, posted the way a browser posts it: every field on the form, with
the hidden markers and whatever is ticked. Untouched questions keep the person's answer."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from alloc_testdata import COMPLETE, make_assessment

from helpers import client_for
from selfdirect.allocation.models import Allocation
from selfdirect.assessment import services
from selfdirect.core.constants import Role

# COMPLETE (35 points) with the social-inclusion domain open: friends (2) and transport (1), the
# domain weighted 0.5, so 36.5 points at the 2026 policy's £270 a point.
SOCIAL = {**COMPLETE, "soc_trigger": True, "soc_activities": ["friends", "transport"]}
PER_POINT = 27000  # pence


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 5, 1))


class _FormFields(HTMLParser):
    """What a browser would send for the page's POST form: hidden and text inputs, textareas,
    and the checkboxes and radios that are checked (the CSRF token is not needed by the test client)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._in_form = False
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = True
        if not self._in_form or not a.get("name"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            elif kind != "submit":
                self._add(a["name"], a.get("value") or "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._add(a["name"], "")

    def handle_data(self, data):
        if self._textarea is not None:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def browser_form(html: str) -> dict[str, list[str]]:
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def allocate(client, assessment) -> int:
    response = client.post(f"/allocation/assessments/{assessment.pk}/allocate/")
    assert response.status_code == 302, response.content[:500]
    return Allocation.objects.filter(assessment=assessment).first().total_annual_pence


@pytest.fixture
def setting(world, north_2026):
    a = make_assessment(world.north.caseload_person, north_2026, SOCIAL, status="submitted")
    return a, client_for(world.north.users[Role.ASSESSOR])


def test_changing_one_question_keeps_the_persons_other_answers(setting):
    a, client = setting
    assert allocate(client, a) == 73 * PER_POINT // 2  # the person's own answers: £9,855
    form = browser_form(client.get(f"/assessment/{a.pk}/assessor/").content.decode())
    assert "present-soc_activities" in form and "soc_activities" not in form  # shown, nothing ticked
    form["pc_washing"] = ["some"]  # "all" (10 points) becomes "some" (3)
    saved = client.post(f"/assessment/{a.pk}/assessor/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    a.refresh_from_db()
    assert a.assessor_answers == {"pc_washing": "some"}
    assert a.combined_answers["soc_activities"] == ["friends", "transport"]
    page = client.get(f"/assessment/{a.pk}/").content.decode()
    assert page.count('data-testid="differs"') == 1
    assert allocate(client, a) == 59 * PER_POINT // 2  # 36.5 - 7


def test_an_unchanged_form_saved_again_changes_nothing(setting):
    a, client = setting
    first = browser_form(client.get(f"/assessment/{a.pk}/assessor/").content.decode())
    first["soc_activities"] = ["clubs"]
    assert client.post(f"/assessment/{a.pk}/assessor/", first).status_code == 302
    again = browser_form(client.get(f"/assessment/{a.pk}/assessor/").content.decode())
    assert again["soc_activities"] == ["clubs"]  # the assessor's own answer is shown ticked
    assert client.post(f"/assessment/{a.pk}/assessor/", again).status_code == 302
    a.refresh_from_db()
    assert a.assessor_answers == {"soc_activities": ["clubs"]}
    assert allocate(client, a) == 36 * PER_POINT  # clubs: 2 x 0.5


def test_unticking_every_box_goes_back_to_the_persons_answer(setting):
    a, client = setting
    a.assessor_answers = {"soc_activities": ["clubs"]}
    a.save()
    form = browser_form(client.get(f"/assessment/{a.pk}/assessor/").content.decode())
    del form["soc_activities"]
    assert client.post(f"/assessment/{a.pk}/assessor/", form).status_code == 302
    a.refresh_from_db()
    assert a.assessor_answers == {}
    assert allocate(client, a) == 73 * PER_POINT // 2


def test_none_of_these_is_recorded_as_no_activities(setting):
    a, client = setting
    html = client.get(f"/assessment/{a.pk}/assessor/").content.decode()
    assert 'data-behaviour="exclusive"' in html and "None of these" in html
    form = browser_form(html)
    form["soc_activities"] = ["__none_of_these__"]
    assert client.post(f"/assessment/{a.pk}/assessor/", form).status_code == 302
    a.refresh_from_db()
    assert a.assessor_answers == {"soc_activities": []}
    again = client.get(f"/assessment/{a.pk}/assessor/").content.decode()
    assert browser_form(again)["soc_activities"] == ["__none_of_these__"]  # shown as recorded
    assert allocate(client, a) == 35 * PER_POINT


def test_none_of_these_with_an_option_is_refused_at_the_field_with_the_other_problems(setting):
    a, client = setting
    form = browser_form(client.get(f"/assessment/{a.pk}/assessor/").content.decode())
    form["soc_activities"] = ["friends", "__none_of_these__"]
    form["age"] = ["300"]
    form["pc_washing"] = ["some"]
    response = client.post(f"/assessment/{a.pk}/assessor/", form)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#q-soc_activities"' in html and "not both" in html
    assert "Age in years must be 120 or less" in html
    a.refresh_from_db()
    assert a.assessor_answers == {}
