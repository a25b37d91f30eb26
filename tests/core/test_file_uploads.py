"""Every form with a file field renders a GOV.UK file upload in a multipart form, and a bank
statement uploaded through the "Record spending" page records spending."""

from __future__ import annotations

import importlib
import inspect
import sys
from html.parser import HTMLParser
from pathlib import Path

from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from helpers import client_for
from selfdirect.core.constants import Role

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ledger"))

from ledger_support import make_budget  # noqa: E402


class _Forms(HTMLParser):
    """Each form on a page: its attributes and its file inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": a, "files": []})
        elif tag == "input" and a.get("type") == "file" and self.forms:
            self.forms[-1]["files"].append(a)


def upload_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["files"]]


def assert_real_upload(html: str) -> dict:
    """The page's one upload form, checked: multipart, a GOV.UK file input; returned."""
    found = upload_forms(html)
    assert len(found) == 1, html
    form = found[0]
    assert form["attrs"].get("enctype") == "multipart/form-data"
    assert all("govuk-file-upload" in f.get("class", "") for f in form["files"])
    return form


def project_forms_with_file_fields() -> list[type[forms.BaseForm]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("selfdirect."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
                and any(isinstance(f, forms.FileField) for f in cls.base_fields.values())
            ):
                found.append(cls)
    return found


def test_every_file_field_in_the_project_renders_a_govuk_file_upload():
    found = project_forms_with_file_fields()
    names = {f"{cls.__module__}.{cls.__name__}" for cls in found}
    assert {"selfdirect.ledger.forms.UploadForm", "selfdirect.people.forms.ImportForm"} <= names
    for cls in found:
        # Each file field on its own, so forms whose constructors need arguments need not be built.
        for name, field in cls.base_fields.items():
            if not isinstance(field, forms.FileField):
                continue
            form = type("One", (forms.Form,), {name: field})()
            html = render_to_string("core/includes/field.html", {"field": form[name]})
            assert 'type="file"' in html and 'class="govuk-file-upload' in html, (cls, name, html)
            assert 'type="text"' not in html
            with_error = type("One", (forms.Form,), {name: field})(data={}, files={})
            assert not with_error.is_valid()
            html = render_to_string("core/includes/field.html", {"field": with_error[name]})
            assert (
                "govuk-file-upload--error" in html and f'aria-describedby="{form[name].auto_id}-hint' in html
            )


def test_a_bank_statement_uploaded_through_the_record_spending_page_records_spending(world):
    from selfdirect.ledger import services
    from selfdirect.ledger.models import Spend

    budget = make_budget(world.north.self_person)
    services.execute_run(
        services.start_run(world.north.users[Role.FINANCE], world.north.authority, "2026-04").pk
    )
    client = client_for(world.north.users[Role.PERSON])
    page = client.get(f"/money/budgets/{budget.pk}/spending/")
    assert page.status_code == 200
    form = assert_real_upload(page.content.decode())
    (file_input,) = form["files"]
    statement = "date,description,amount,category\n2026-04-03,PA wages,80.00,personal_assistant\n"
    bad = client.post(
        form["attrs"]["action"], {file_input["name"]: SimpleUploadedFile("s.csv", b"when,what\n1,2\n")}
    )
    assert bad.status_code == 400
    assert_real_upload(bad.content.decode())  # the page that lists the problems offers the upload again
    response = client.post(
        form["attrs"]["action"], {file_input["name"]: SimpleUploadedFile("s.csv", statement.encode())}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(Spend.objects.filter(budget=budget).values_list("amount_pence", flat=True)) == [8000]


def test_every_upload_page_has_a_real_file_input(world):
    pages = [
        (Role.ADMIN, "/people/import/"),
        (Role.COMMISSIONER, "/market/providers/import/"),
        (Role.COMMISSIONER, "/allocation/policies/upload/"),
    ]
    for role, url in pages:
        response = client_for(world.north.users[role]).get(url)
        assert response.status_code == 200, url
        assert_real_upload(response.content.decode())
    error = client_for(world.north.users[Role.ADMIN]).post("/people/import/", {"reason": "Transfer"})
    assert error.status_code == 400
    form = assert_real_upload(error.content.decode())
    assert "govuk-file-upload--error" in form["files"][0]["class"]
