"""Pages for people, representatives, caseloads and the contact log. Each view finds the record
through people_scope (so what a user cannot see is a 404), checks the action's permission (403),
and calls a service."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, ProtectedError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from selfdirect.core import audit, registry, spreadsheet
from selfdirect.core.constants import CASELOAD_ROLES, AuditAction, Role
from selfdirect.core.forms import apply_service_errors
from selfdirect.core.http import AuthedRequest, download, paged, require, still_referred_to
from selfdirect.core.models import AuditEvent

from . import search, services
from .access import Purpose, people_scope, representative_scope, team_scope
from .constants import ClientGroup, FacsBand
from .forms import AllocationForm, ContactForm, ImportForm, PersonForm, ReasonForm, RepresentativeForm
from .models import Person, Representative

# Roles that work with lists of people; the others reach records through their home page.
LIST_ROLES = CASELOAD_ROLES | {Role.ADMIN, Role.FINANCE}


def _person(request: AuthedRequest, pk: int, purpose: Purpose = "view") -> Person:
    """The person, if this user may see them at all (else 404); 403 if not for ``purpose``."""
    user, authority = request.user, request.authority
    visible = people_scope(user, authority).select_related("team", "allocated_worker", "authority")
    person = get_object_or_404(visible, pk=pk)
    if purpose != "view" and not people_scope(user, authority, purpose).filter(pk=pk).exists():
        raise PermissionDenied(purpose)
    return person




@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    scope = people_scope(request.user, request.authority)
    if request.authority is None or not request.roles & LIST_ROLES:
        raise PermissionDenied("people list")
    people, q = search.searched(request, scope.select_related("team", "allocated_worker"))
    band = request.GET.get("band", "")
    group = request.GET.get("group", "")
    if band in FacsBand.values:
        people = people.filter(facs_band=band)
    if group in ClientGroup.values:
        people = people.filter(client_group=group)
    page, query_string = paged(request, people, keep={"q": q, "band": band, "group": group})
    can_add = request.user.has_perm("people.add_person", request.authority)
    return render(
        request, "people/list.html",
        {"page": page, "q": q, "band": band, "group": group, "query_string": query_string,
         "bands": FacsBand.choices, "groups": ClientGroup.choices, "can_add": can_add},
    )  # fmt: skip


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    user = request.user
    context = {
        "person": person,
        "can_case": user.has_perm("people.view_case_notes", person),
        "can_edit": user.has_perm("people.change_person", person),
        "can_allocate": user.has_perm("people.allocate_person", person),
        "can_delete": user.has_perm("people.delete_person", person),
        "can_list": bool(request.roles & LIST_ROLES),
        "representatives": person.representatives.select_related("user"),
        "today": timezone.localdate(),
        "is_self": person.user_id is not None and person.user_id == user.pk,  # the page speaks to "you"
    }
    if context["can_case"]:
        context["contacts"] = person.contacts.select_related("recorded_by")[:10]
        context["age"] = person.age_on(timezone.localdate())
    # What the other apps hold about the person and this viewer may see, as links (core.registry).
    context["sections"] = registry.render_sections(registry.person_sections(), request, person)
    return render(request, "people/detail.html", context)


@login_required
def person_create(request: AuthedRequest) -> HttpResponse:
    authority = request.authority
    if authority is None:
        raise PermissionDenied("no authority")
    require(request, "people.add_person", authority)
    form = PersonForm(request.POST or None, authority=authority, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                request.user, authority, form.model_data(), form.cleaned_data["reason"]
            )
        except services.ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{person} was added with reference {person.reference}")
            return redirect(person)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/form.html", {"form": form, "title": "Add a person"}, status=status)


@login_required
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, "edit")
    form = PersonForm(request.POST or None, instance=person, authority=person.authority, user=request.user)
    if request.method == "POST" and form.is_valid():
        fresh = people_scope(request.user, request.authority, "edit").get(pk=pk)  # the form changed `person`
        try:
            changes = services.update_person(
                request.user, fresh, form.model_data(), form.cleaned_data["reason"]
            )
        except services.ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"{len(changes)} detail(s) changed" if changes else "Nothing was changed"
            )
            return redirect(fresh)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "people/form.html", {"form": form, "title": f"Change {person}'s details", "person": person},
        status=status,
    )  # fmt: skip


@login_required
def person_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "people.delete_person", person)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = str(person)
        try:
            services.delete_person(request.user, person, form.cleaned_data["reason"])
        except ProtectedError as exc:  # a budget, plan or allocation holds on to them: say so (409)
            form.add_error(None, still_referred_to(exc))
            return render(request, "people/delete.html", {"form": form, "person": person}, status=409)
        messages.success(request, f"{name}'s record was removed")
        return redirect("people:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "people/delete.html", {"form": form, "person": person}, status=status)


@login_required
def person_allocate(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "people.allocate_person", person)
    form = AllocationForm(
        request.POST or None, authority=person.authority,
        initial={"team": person.team_id, "allocated_worker": person.allocated_worker_id},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.allocate(
                request.user, person, form.cleaned_data["team"], form.cleaned_data["allocated_worker"],
                form.cleaned_data["reason"],
            )  # fmt: skip
        except services.ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Allocation changed" if changes else "Allocation was already as chosen")
            return redirect(person)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/allocate.html", {"form": form, "person": person}, status=status)


@login_required
def person_history(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, "case")
    events = AuditEvent.objects.filter(authority=person.authority, person_id=person.pk)
    page, _ = paged(request, events, per_page=50)
    return render(request, "people/history.html", {"person": person, "page": page})


@login_required
def representative_edit(request: AuthedRequest, pk: int, rep_pk: int | None = None) -> HttpResponse:
    person = _person(request, pk)
    require(request, "people.manage_representatives", person)
    rep = get_object_or_404(Representative, pk=rep_pk, person=person) if rep_pk else None
    form = RepresentativeForm(
        request.POST or None, instance=rep, authority=person.authority,
        initial={} if rep else {"starts_on": timezone.localdate()},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        fresh = representative_scope(request.user, request.authority, "edit").get(pk=rep.pk) if rep else None
        try:
            saved = services.save_representative(
                request.user,
                person,
                form.model_data(),
                form.cleaned_data["reason"],
                rep=fresh,
            )
        except services.ServiceError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{saved.name} was saved as a representative")
            return redirect(person)
    status = 400 if request.method == "POST" else 200
    title = f"Change {rep.name}'s details" if rep else f"Add someone who acts for {person}"
    return render(
        request, "people/form.html", {"form": form, "person": person, "title": title}, status=status
    )


@login_required
def representative_delete(request: AuthedRequest, pk: int, rep_pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "people.manage_representatives", person)
    rep = get_object_or_404(Representative, pk=rep_pk, person=person)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.delete_representative(request.user, rep, form.cleaned_data["reason"])
        messages.success(request, f"{rep.name} no longer acts for {person}")
        return redirect(person)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "people/representative_delete.html",
        {"form": form, "person": person, "rep": rep},
        status=status,
    )


@login_required
def contact_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "people.add_contact", person)
    form = ContactForm(request.POST or None, initial={"happened_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "happened_on"}
        day: dt.date = form.cleaned_data["happened_on"]
        data["happened_at"] = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
        try:
            services.add_contact(request.user, person, data)
        except services.ServiceError as exc:
            apply_service_errors(form, exc, {"happened_at": "happened_on"})
        else:
            messages.success(request, "Contact recorded")
            return redirect(person)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/contact_form.html", {"form": form, "person": person}, status=status)


@login_required
def contact_list(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, "case")
    page = Paginator(person.contacts.select_related("recorded_by"), 25).get_page(request.GET.get("page"))
    return render(request, "people/contacts.html", {"person": person, "page": page})


@login_required
def teams(request: AuthedRequest) -> HttpResponse:
    authority = request.authority
    roles = request.roles
    if authority is None or not roles & {"admin", "assessor", "planner"}:
        raise PermissionDenied("teams")
    team_list = team_scope(request.user, authority)
    if "admin" not in roles:
        team_list = team_list.filter(members=request.user)
    team_list = team_list.annotate(people=Count("caseload", distinct=True)).prefetch_related("members")
    return render(request, "people/teams.html", {"teams": team_list})


@login_required
def team_detail(request: AuthedRequest, team_pk: int) -> HttpResponse:
    authority = request.authority
    roles = request.roles
    teams_seen = team_scope(request.user, authority)
    if "admin" not in roles:
        teams_seen = teams_seen.filter(members=request.user)
    team = get_object_or_404(teams_seen, pk=team_pk)
    people = people_scope(request.user, authority).filter(team=team).select_related("allocated_worker")
    page = Paginator(people, settings.PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    workload = (
        people.values("allocated_worker__full_name")
        .annotate(n=Count("id"))
        .order_by("allocated_worker__full_name")
    )
    return render(request, "people/team_detail.html", {"team": team, "page": page, "workload": workload})


@login_required
def export_csv(request: AuthedRequest) -> StreamingHttpResponse:
    authority = request.authority
    if authority is None:
        raise PermissionDenied("export")
    require(request, "people.export_people", authority)
    people = people_scope(request.user, authority).select_related("team")
    audit.record(
        actor=request.user, authority=authority, action=AuditAction.EXPORT, obj=authority,
        reason="Downloaded everyone as CSV from the web", changes={"rows": [None, people.count()]},
    )  # fmt: skip

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = spreadsheet.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in services.export_rows(people.iterator())), content_type="text/csv"
    )
    return download(response, f"{authority.slug}-people-{timezone.localdate()}.csv")


@login_required
def import_csv(request: AuthedRequest) -> HttpResponse:
    authority = request.authority
    if authority is None:
        raise PermissionDenied("import")
    require(request, "people.import_people", authority)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[services.RowProblem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read(services.MAX_IMPORT_BYTES + 1).decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", "The file must be a CSV saved as UTF-8")
        else:
            try:
                created = services.import_people(request.user, authority, text, form.cleaned_data["reason"])
            except services.ImportRefused as exc:
                problems = exc.problems
                form.add_error("file", f"The file has {len(problems)} problem(s). Nothing was imported.")
            else:
                messages.success(request, f"{len(created)} people were imported")
                return redirect(reverse("people:list"))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "people/import.html",
        {"form": form, "problems": problems, "columns": services.CSV_COLUMNS, "required": sorted(services.REQUIRED_COLUMNS)},
        status=status,
    )  # fmt: skip
