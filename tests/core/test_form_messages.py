"""Money typed into a form (issue 20.6): one field everywhere, with the GOV.UK £ prefix before the
box, read as integer pence, and messages that say what to type."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string

from selfdirect.core.forms import GovukForm, PoundsField


class Amounts(forms.Form):
    paid = PoundsField(label="Amount paid")
    contribution = PoundsField(label="Weekly contribution", zero=True, required=False)


def test_pounds_are_read_as_pence_and_bad_amounts_are_named():
    form = Amounts({"paid": "£1,260.50", "contribution": "0"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"paid": 126050, "contribution": 0}
    form = Amounts({"paid": "0", "contribution": "-1"})
    assert not form.is_valid()
    assert form.errors["paid"] == ["Enter an amount more than £0"]
    assert form.errors["contribution"] == ["Enter an amount of £0 or more"]
    form = Amounts({"paid": "10.005", "contribution": ""})
    assert form.errors["paid"][0].startswith("Enter an amount in pounds, like 45.50")
    assert Amounts({"paid": "12", "contribution": ""}).is_valid()  # optional and left blank: None


def test_the_box_has_a_pound_prefix_screen_readers_do_not_repeat():
    html = render_to_string("core/includes/field.html", {"field": Amounts()["paid"]})
    assert '<div class="govuk-input__prefix" aria-hidden="true">£</div>' in html
    assert 'class="govuk-input__wrapper"' in html and html.count("<div") == html.count("</div>")


class Visit(GovukForm):
    visited_on = forms.CharField(label="Date of the visit")
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=3)
    route = forms.ChoiceField(label="Route", choices=[("dp", "Direct payment")])
    often = forms.ChoiceField(label="How often is it paid?", choices=[("week", "Weekly")], required=False)
    people = forms.IntegerField(label="People", min_value=1)
    notes = forms.CharField(label="Notes", required=False, error_messages={"max_length": "Keep it short"},
                            max_length=2)  # fmt: skip


def test_error_messages_are_written_for_the_field_not_django_defaults():
    form = Visit({"visited_on": "", "route": "nope", "often": "daily", "people": "x", "notes": "long"})
    assert not form.is_valid()
    assert form.errors["visited_on"] == ["Enter date of the visit"]
    assert form.errors["route"] == ["Select route from the list"]
    assert form.errors["often"] == ["Select one of the answers given"]  # a question label
    assert form.errors["people"] == ["People must be a whole number"]
    assert form.errors["notes"] == ["Keep it short"]  # a field's own words are kept
    form = Visit({"visited_on": "today", "route": "", "people": "0", "nhs_number": "abcd"})
    assert form.errors["route"] == ["Select route"]
    assert form.errors["people"] == ["People must be 1 or more"]
    assert form.errors["nhs_number"] == ["NHS number must be 3 characters or fewer"]
    assert "Ensure" not in " ".join(str(e) for e in form.errors.values())



def test_a_wrong_password_marks_both_boxes_and_links_the_summary_to_the_first(world):
    import re

    from django.test import Client

    response = Client().post("/sign-in/", {"username": world.north.users["assessor"].username, "password": "not-it"})
    assert response.status_code == 400
    page = response.content.decode()
    message = "Enter a correct username and password. Both are case-sensitive."
    assert re.findall(r'govuk-error-summary__list">\s*<li><a href="([^"]+)">([^<]+)</a>', page) == [
        ("#id_username", f"Username: {message}")
    ]
    for name in ("username", "password"):
        box = re.search(rf'<div class="([^"]+)">\s*<label[^>]+for="id_{name}".*?<input class="([^"]+)"', page, re.S)
        assert box and "govuk-form-group--error" in box[1] and "govuk-input--error" in box[2], name
    assert page.count('class="govuk-error-message"') == 1  # said once, beside the username
    assert 'name="password" type="password" value=""' in page  # never sent back
