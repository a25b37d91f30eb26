"""Market pages. Each view finds its record within the user's authority and scope (else 404),
checks the action's permission (403) and calls a service; invalid forms answer 400."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from selfdirect.core.dates import parse_moment
from selfdirect.core.http import AuthedRequest, current_authority, require
from selfdirect.core.models import Authority
from selfdirect.people.access import people_scope
from selfdirect.people.models import Person

from . import access, directory, forms, rates, services
from .access import (
    area_scope,
    arrangement_scope,
    broker_scope,
    contract_scope,
    duty_scope,
    list_scope,
    pa_scope,
    provider_scope,
    service_scope,
)
from .constants import Funding
from .models import Broker, Contract, PersonalAssistant, Provider, ProviderList, Service


def _provider(request: AuthedRequest, pk: int) -> Provider:
    return get_object_or_404(provider_scope(request.user, current_authority(request)), pk=pk)


def _service(request: AuthedRequest, pk: int) -> Service:
    scope = service_scope(request.user, current_authority(request))
    return get_object_or_404(scope.select_related("provider"), pk=pk)


def _person(request: AuthedRequest, pk: int) -> Person:
    return get_object_or_404(people_scope(request.user, current_authority(request)), pk=pk)


def _form_page(
    request: AuthedRequest,
    form: Any,
    apply: Callable[[Any], Any],
    *,
    title: str,
    back: str,
    success: str = "Saved",
    button: str = "Save",
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            target = apply(form)
        except services.ServiceError as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.success(request, success)
            return redirect(target)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "market/form.html",
        {"form": form, "title": title, "back": back, "button": button},
        status=status,
    )


def _reason(form: Any) -> str:
    return str(form.cleaned_data["reason"])


# --- public directory ------------------------------------------------------------------------


def public_directory(request: AuthedRequest) -> HttpResponse:
    """Providers, personal assistants and brokers, for anyone, without signing in."""
    authorities = list(Authority.objects.order_by("name"))
    slug = request.GET.get("council", "")
    authority = next((a for a in authorities if a.slug == slug), authorities[0] if authorities else None)
    form = forms.DirectoryForm(request.GET or None, authorities=authorities, authority=authority)
    result = None
    filters = directory.Filters()
    if authority is not None:
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            filters = directory.Filters(
                area=data["area"].pk if data["area"] else None,
                support_type=data["support_type"],
                min_stars=int(data["min_stars"]) if data["min_stars"] else None,
                show=data["show"],
            )
        result = directory.listing(authority, filters, timezone.localdate())
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "market/directory.html",
        {
            "form": form,
            "authority": authority,
            "result": result,
            "filters": filters,
            "planning": directory.PLANNING,
        },
        status=status,
    )


# --- market home and settings ----------------------------------------------------------------


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    user = request.user
    if not access.views_market(user, authority):
        own = list(access.own_provider_ids(user, authority))
        if own:
            return redirect(own[0])
        raise PermissionDenied("market")
    today = timezone.localdate()
    pas = pa_scope(user, authority)
    context = {
        "providers": provider_scope(user, authority).count(),
        "pas": pas.count(),
        "expired": [pa for pa in pas.filter(listed=True) if not pa.dbs_in_date(today)],
        "brokers": broker_scope(user, authority).count(),
        "lists": list_scope(user, authority),
        "contracts": contract_scope(user, authority).select_related("provider")[:10],
        "can_manage": access.manages_market(user, authority),
        "settings": services.settings_for(authority),
        "areas": area_scope(user, authority),
    }
    return render(request, "market/home.html", context)


@login_required
def settings_edit(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    form = forms.SettingsForm(
        request.POST or None, instance=services.settings_for(authority), authority=authority
    )
    return _form_page(
        request, form,
        lambda f: services.save_settings(request.user, authority, f.data_for_service(), _reason(f)) and "market:home",
        title="Market settings", back=reverse("market:home"),
    )  # fmt: skip


@login_required
def area_add(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    form = forms.AreaForm(request.POST or None)
    return _form_page(
        request, form,
        lambda f: services.add_area(request.user, authority, f.cleaned_data["name"], _reason(f)) and "market:home",
        title="Add an area", back=reverse("market:home"), success="Area added",
    )  # fmt: skip


# --- providers, services, rates and quality --------------------------------------------------


@login_required
def provider_list(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    providers = provider_scope(request.user, authority).prefetch_related("areas")
    return render(
        request,
        "market/providers.html",
        {"providers": providers, "can_manage": access.manages_market(request.user, authority)},
    )


@login_required
def provider_create(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    form = forms.ProviderForm(request.POST or None, authority=authority)
    return _form_page(
        request, form, lambda f: services.save_provider(request.user, authority, f.data_for_service(), _reason(f)),
        title="Add a provider", back=reverse("market:providers"), success="Provider added",
    )  # fmt: skip


IMPORT_SESSION_KEY = "market_import"


def _import_form_with_error(message: str) -> forms.ProvidersImportForm:
    """An empty upload form showing ``message`` against the file (and in the error summary)."""
    form = forms.ProvidersImportForm()
    form._errors = ErrorDict()  # type: ignore[attr-defined]  # unbound: errors without validation
    form.cleaned_data = {}
    form.add_error("file", message)
    return form


@login_required
def provider_import(request: AuthedRequest) -> HttpResponse:
    """Import providers, services and rate tables from CSV in two steps. Check: the file is read
    and every row checked (the import is run and rolled back); any problem is listed as "line N:
    field: message" and nothing is saved. Confirm: a clean file's summary is shown and the import
    runs, all or nothing, only when the commissioner confirms. The checked file waits in the
    session, tied to the authority and its SHA-256 digest."""
    authority = current_authority(request)
    require(request, "market.import_providers", authority)
    form = forms.ProvidersImportForm(
        None if "digest" in request.POST else request.POST or None, request.FILES or None
    )
    problems: list[services.RowProblem] = []
    context: dict[str, Any] = {
        "columns": services.IMPORT_COLUMNS,
        "required": sorted(services.IMPORT_REQUIRED),
    }
    if request.method == "POST" and "digest" in request.POST:  # step two: confirm
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        if pending.get("authority") != authority.pk or pending.get("digest") != request.POST["digest"]:
            form = _import_form_with_error("The checked file was not found: upload it again")
            return render(request, "market/import.html", {**context, "form": form}, status=400)
        del request.session[IMPORT_SESSION_KEY]
        try:
            created = services.import_providers(request.user, authority, pending["text"], pending["reason"])
        except services.ImportRefused as exc:  # the records changed since the check
            form = _import_form_with_error(
                f"The file now has {len(exc.problems)} problem(s). Nothing was imported."
            )
            return render(
                request, "market/import.html", {**context, "form": form, "problems": exc.problems}, status=400
            )
        providers = {t.service.provider_id for t in created}
        messages.success(
            request,
            f"Imported {len(created)} rate table(s) for {len(providers)} provider(s) from {pending['name']}",
        )
        return redirect("market:providers")
    if request.method == "POST" and form.is_valid():  # step one: check
        upload = form.cleaned_data["file"]
        try:
            text = services.read_import_file(upload.name or "", upload.read(services.MAX_IMPORT_BYTES + 1))
            preview = services.check_providers_import(request.user, authority, text)
        except services.ServiceError as exc:
            for message in exc.errors.get("file", []):
                form.add_error("file", message)
        except services.ImportRefused as exc:
            problems = exc.problems
            form.add_error("file", f"The file has {len(problems)} problem(s). Nothing was imported.")
        else:
            digest = hashlib.sha256(text.encode()).hexdigest()
            request.session[IMPORT_SESSION_KEY] = {
                "authority": authority.pk, "digest": digest, "text": text,
                "reason": form.cleaned_data["reason"], "name": upload.name or "the file",
            }  # fmt: skip
            return render(
                request,
                "market/import_confirm.html",
                {
                    "preview": preview,
                    "digest": digest,
                    "name": upload.name,
                    "reason": form.cleaned_data["reason"],
                },
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "market/import.html", {**context, "form": form, "problems": problems}, status=status
    )


@login_required
def provider_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    provider = _provider(request, pk)
    today = timezone.localdate()
    services_with_rates = [(s, s.rate_table_on(today)) for s in provider.services.all()]
    context = {
        "provider": provider,
        "services": services_with_rates,
        "rating": provider.current_rating(),
        "ratings": provider.ratings.all()[:5],
        "quality": provider.quality_assessments.all()[:5],
        "spot_checks": provider.spot_checks.all()[:5],
        "members": provider.members.select_related("user"),
        "can_edit": request.user.has_perm("market.change_provider", provider),
        "can_manage": access.manages_market(request.user, provider.authority_id),
    }
    return render(request, "market/provider.html", context)


@login_required
def provider_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    provider = _provider(request, pk)
    require(request, "market.change_provider", provider)
    manager = access.manages_market(request.user, provider.authority_id)
    form_class = forms.ProviderForm if manager else forms.ProviderProfileForm
    form = form_class(request.POST or None, instance=provider, authority=provider.authority)
    return _form_page(
        request, form,
        lambda f: services.save_provider(request.user, provider.authority, f.data_for_service(), _reason(f), provider=provider),
        title=f"Change {provider}'s profile", back=provider.get_absolute_url(),
    )  # fmt: skip


@login_required
def member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    provider = _provider(request, pk)
    require(request, "market.manage_market", provider.authority)
    form = forms.MemberForm(request.POST or None, authority=provider.authority)

    def apply(f: Any) -> str:
        services.link_provider_user(request.user, provider, f.cleaned_data["user"], _reason(f))
        return provider.get_absolute_url()

    return _form_page(
        request, form, apply, title=f"Link a provider user to {provider}", back=provider.get_absolute_url()
    )


@login_required
def service_create(request: AuthedRequest, pk: int) -> HttpResponse:
    provider = _provider(request, pk)
    require(request, "market.change_provider", provider)
    form = forms.ServiceForm(request.POST or None, authority=provider.authority)
    return _form_page(
        request, form, lambda f: services.save_service(request.user, provider, f.data_for_service(), _reason(f)),
        title=f"Add a service for {provider}", back=provider.get_absolute_url(), success="Service added",
    )  # fmt: skip


@login_required
def service_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    service = _service(request, pk)
    quote = None
    data = request.GET.copy()
    if "at" in data and "on_0" not in data:
        # An address written before the date boxes (?at=2026-04-05T23:00): read into the boxes.
        try:
            moment = parse_moment(data.get("at", ""))
        except ValueError:
            data.update({"on_0": "", "on_1": "", "on_2": ""})
        else:
            data.update({"on_0": str(moment.day), "on_1": str(moment.month), "on_2": str(moment.year),
                         "at": f"{moment:%H:%M}"})  # fmt: skip
    form = forms.QuoteForm(data if "on_0" in data else None)
    if form.is_bound and form.is_valid():
        moment = dt.datetime.combine(form.cleaned_data["on"], form.cleaned_data["at"])
        try:
            quote = rates.quote(service, timezone.make_aware(moment))
        except rates.NoRate as exc:
            form.add_error(None, str(exc))
    context = {
        "service": service,
        "tables": service.rate_tables.all(),
        "can_edit": request.user.has_perm("market.change_provider", service.provider),
        "quote": quote,
        "form": form,
    }
    return render(request, "market/service.html", context, status=400 if form.errors else 200)


@login_required
def service_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    service = _service(request, pk)
    require(request, "market.change_provider", service.provider)
    form = forms.ServiceForm(request.POST or None, instance=service, authority=service.authority)
    return _form_page(
        request, form,
        lambda f: services.save_service(request.user, service.provider, f.data_for_service(), _reason(f), service=service),
        title=f"Change {service.name}", back=service.get_absolute_url(),
    )  # fmt: skip


@login_required
def rate_create(request: AuthedRequest, pk: int) -> HttpResponse:
    service = _service(request, pk)
    require(request, "market.change_provider", service.provider)
    form = forms.RateTableForm(request.POST or None, authority=service.authority)
    return _form_page(
        request, form,
        lambda f: services.save_rate_table(request.user, service, f.data_for_service(), _reason(f)) and service.get_absolute_url(),
        title=f"Add rates for {service.name}", back=service.get_absolute_url(), success="Rates added",
    )  # fmt: skip


def _subject_form(
    request: AuthedRequest, subject: Any, form: Any, apply: Callable[[Any], Any], title: str
) -> HttpResponse:
    require(request, "market.manage_market", subject.authority)
    return _form_page(request, form, lambda f: apply(f) and subject.get_absolute_url(), title=title,
                      back=subject.get_absolute_url())  # fmt: skip


@login_required
def rating_add(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    model = {"providers": Provider, "pas": PersonalAssistant, "brokers": Broker}.get(kind)
    if model is None:
        raise Http404(kind)
    subject = access.visible(request, model, pk)
    form = forms.RatingForm(request.POST or None, authority=subject.authority)
    return _subject_form(
        request, subject, form,
        lambda f: services.add_rating(request.user, subject, f.data_for_service(), _reason(f)),
        f"Publish a star rating for {subject}",
    )  # fmt: skip


@login_required
def quality_add(request: AuthedRequest, pk: int) -> HttpResponse:
    provider = access.visible(request, Provider, pk)
    form = forms.QualityForm(request.POST or None, authority=provider.authority, provider=provider)
    return _subject_form(
        request, provider, form,
        lambda f: services.add_quality_assessment(request.user, provider, f.data_for_service(), _reason(f)),
        f"Record a quality assessment (QAF) for {provider}",
    )  # fmt: skip


@login_required
def spot_check_add(request: AuthedRequest, pk: int) -> HttpResponse:
    provider = access.visible(request, Provider, pk)
    form = forms.SpotCheckForm(request.POST or None, authority=provider.authority)
    return _subject_form(
        request, provider, form,
        lambda f: services.add_spot_check(request.user, provider, f.data_for_service(), _reason(f)),
        f"Record a spot check on {provider}",
    )  # fmt: skip


# --- personal assistants and brokers ---------------------------------------------------------


@login_required
def pa_list(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    today = timezone.localdate()
    pas = [
        (pa, pa.latest_dbs(), pa.dbs_in_date(today))
        for pa in pa_scope(request.user, authority).prefetch_related("areas")
    ]
    return render(
        request, "market/pas.html",
        {"pas": pas, "can_manage": access.manages_market(request.user, authority), "today": today},
    )  # fmt: skip


@login_required
def pa_create(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    form = forms.PAForm(request.POST or None, authority=authority)
    return _form_page(
        request, form, lambda f: services.save_pa(request.user, authority, f.data_for_service(), _reason(f)),
        title="Add a personal assistant to the register", back=reverse("market:pas"), success="PA added",
    )  # fmt: skip


@login_required
def pa_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    pa = access.visible(request, PersonalAssistant, pk)
    today = timezone.localdate()
    public = directory.public_pas(pa.authority, today).filter(pk=pa.pk).exists()
    return render(
        request, "market/pa.html",
        {"pa": pa, "checks": pa.checks.all(), "dbs": pa.latest_dbs(), "dbs_ok": pa.dbs_in_date(today),
         "public": public, "today": today, "can_manage": access.manages_market(request.user, pa.authority_id),
         "ratings": pa.ratings.all()[:5]},
    )  # fmt: skip


@login_required
def pa_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    pa = access.visible(request, PersonalAssistant, pk)
    require(request, "market.manage_market", pa.authority)
    form = forms.PAForm(request.POST or None, instance=pa, authority=pa.authority)
    return _form_page(
        request, form, lambda f: services.save_pa(request.user, pa.authority, f.data_for_service(), _reason(f), pa=pa),
        title=f"Change {pa}'s entry", back=pa.get_absolute_url(),
    )  # fmt: skip


@login_required
def pa_check_add(request: AuthedRequest, pk: int) -> HttpResponse:
    pa = access.visible(request, PersonalAssistant, pk)
    form = forms.PACheckForm(request.POST or None, authority=pa.authority)
    return _subject_form(
        request, pa, form, lambda f: services.add_pa_check(request.user, pa, f.data_for_service(), _reason(f)),
        f"Record a check, reference or training for {pa}",
    )  # fmt: skip


@login_required
def broker_list(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return render(
        request, "market/brokers.html",
        {"brokers": broker_scope(request.user, authority).prefetch_related("areas"),
         "can_manage": access.manages_market(request.user, authority)},
    )  # fmt: skip


@login_required
def broker_create(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    form = forms.BrokerForm(request.POST or None, authority=authority)
    return _form_page(
        request, form, lambda f: services.save_broker(request.user, authority, f.data_for_service(), _reason(f)),
        title="Add a broker or support planner", back=reverse("market:brokers"), success="Broker added",
    )  # fmt: skip


@login_required
def broker_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    broker = access.visible(request, Broker, pk)
    return render(
        request, "market/broker.html",
        {"broker": broker, "can_manage": access.manages_market(request.user, broker.authority_id),
         "ratings": broker.ratings.all()[:5]},
    )  # fmt: skip


@login_required
def broker_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    broker = access.visible(request, Broker, pk)
    require(request, "market.manage_market", broker.authority)
    form = forms.BrokerForm(request.POST or None, instance=broker, authority=broker.authority)
    return _form_page(
        request, form,
        lambda f: services.save_broker(request.user, broker.authority, f.data_for_service(), _reason(f), broker=broker),
        title=f"Change {broker}'s profile", back=broker.get_absolute_url(),
    )  # fmt: skip


# --- lists and contracts -----------------------------------------------------------------------


@login_required
def list_list(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return render(
        request, "market/lists.html",
        {"lists": list_scope(request.user, authority),
         "can_manage": access.manages_market(request.user, authority)},
    )  # fmt: skip


@login_required
def list_create(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    form = forms.ListForm(request.POST or None, authority=authority)
    return _form_page(
        request, form, lambda f: services.save_list(request.user, authority, f.data_for_service(), _reason(f)),
        title="Set up a preferred-provider or framework list", back=reverse("market:lists"), success="List set up",
    )  # fmt: skip


@login_required
def list_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plist = access.visible(request, ProviderList, pk)
    entries = plist.entries.select_related("service", "service__provider")
    return render(
        request, "market/list.html",
        {"plist": plist, "entries": entries, "can_manage": access.manages_market(request.user, plist.authority_id)},
    )  # fmt: skip


@login_required
def list_entry_add(request: AuthedRequest, pk: int) -> HttpResponse:
    plist = access.visible(request, ProviderList, pk)
    form = forms.ListEntryForm(request.POST or None, authority=plist.authority)
    return _subject_form(
        request, plist, form,
        lambda f: services.add_list_entry(request.user, plist, f.data_for_service(), _reason(f)),
        f"Add a service to {plist}",
    )  # fmt: skip


@login_required
def contract_list(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.view_market", authority)
    return render(
        request, "market/contracts.html",
        {"contracts": contract_scope(request.user, authority).select_related("provider"),
         "can_manage": access.manages_market(request.user, authority), "today": timezone.localdate()},
    )  # fmt: skip


@login_required
def contract_create(request: AuthedRequest) -> HttpResponse:
    authority = current_authority(request)
    require(request, "market.manage_market", authority)
    form = forms.ContractForm(request.POST or None, authority=authority)
    return _form_page(
        request, form, lambda f: services.save_contract(request.user, authority, f.data_for_service(), _reason(f)),
        title="Record a contract", back=reverse("market:contracts"), success="Contract recorded",
    )  # fmt: skip


@login_required
def contract_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = access.visible(request, Contract, pk)
    usage = [(u, services.contract_effect(contract, u)) for u in contract.usage.all()]
    return render(
        request, "market/contract.html",
        {"contract": contract, "usage": usage, "can_manage": access.manages_market(request.user, contract.authority_id),
         "arrangements": contract.arrangements.select_related("service").count(),
         "warnings": services.contract_warnings(contract),
         "notice_months": services.settings_for(contract.authority).retender_notice_months},
    )  # fmt: skip


@login_required
def contract_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = access.visible(request, Contract, pk)
    require(request, "market.manage_market", contract.authority)
    form = forms.ContractForm(request.POST or None, instance=contract, authority=contract.authority)
    return _form_page(
        request, form,
        lambda f: services.save_contract(request.user, contract.authority, f.data_for_service(), _reason(f), contract=contract),
        title=f"Change contract {contract.reference}", back=contract.get_absolute_url(),
    )  # fmt: skip


@login_required
def usage_add(request: AuthedRequest, pk: int) -> HttpResponse:
    contract = access.visible(request, Contract, pk)
    form = forms.UsageForm(request.POST or None, authority=contract.authority)
    return _subject_form(
        request, contract, form,
        lambda f: services.record_usage(request.user, contract, f.data_for_service(), _reason(f)),
        f"Record usage of {contract.reference}",
    )  # fmt: skip


# --- a person's providers, PAs and employer duties -------------------------------------------


@login_required
def person_market(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "market.view_employer_duties", person)
    employments = person.pa_employments.prefetch_related("duties")
    arrangements = person.market_arrangements.select_related("service", "service__provider", "contract")
    return render(
        request, "market/person.html",
        {"person": person, "employments": employments, "arrangements": arrangements,
         "can_edit": request.user.has_perm("market.change_employer_duties", person),
         "can_transfer": request.user.has_perm("market.transfer_arrangement", person),
         "Funding": Funding},
    )  # fmt: skip


@login_required
def employment_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "market.change_employer_duties", person)
    form = forms.EmploymentForm(request.POST or None, authority=person.authority)
    back = reverse("market:person", args=[person.pk])
    return _form_page(
        request, form,
        lambda f: services.save_employment(request.user, person, f.data_for_service(), _reason(f)) and back,
        title=f"Record a personal assistant {person} employs", back=back, success="Employment recorded",
    )  # fmt: skip


@login_required
def duty_edit(request: AuthedRequest, pk: int, duty_pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "market.change_employer_duties", person)
    duties = duty_scope(request.user, person.authority_id).filter(employment__person=person)
    duty = get_object_or_404(duties, pk=duty_pk)
    form = forms.DutyForm(request.POST or None, instance=duty, authority=person.authority)
    back = reverse("market:person", args=[person.pk])
    return _form_page(
        request, form,
        lambda f: services.update_duty(request.user, duty, f.data_for_service(), _reason(f)) and back,
        title=f"{duty.get_duty_display()}: {duty.employment.pa_name}", back=back,
    )  # fmt: skip


@login_required
def arrangement_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "market.transfer_arrangement", person)
    form = forms.ArrangementForm(request.POST or None, authority=person.authority)
    back = reverse("market:person", args=[person.pk])
    return _form_page(
        request, form,
        lambda f: services.save_arrangement(request.user, person, f.data_for_service(), _reason(f)) and back,
        title=f"Record a service {person} uses", back=back,
    )  # fmt: skip


@login_required
def arrangement_transfer(request: AuthedRequest, pk: int, arr_pk: int) -> HttpResponse:
    person = _person(request, pk)
    require(request, "market.transfer_arrangement", person)
    arrangement = get_object_or_404(
        arrangement_scope(request.user, person.authority_id).filter(person=person), pk=arr_pk
    )
    form = forms.TransferForm(request.POST or None)
    back = reverse("market:person", args=[person.pk])
    return _form_page(
        request, form,
        lambda f: services.transfer_to_budget(request.user, arrangement, f.cleaned_data["transfer_on"], _reason(f)) and back,
        title=f"Move {person} from the block contract to their personal budget", back=back,
        success="Moved to the personal budget with no gap in the provider's pay", button="Move to personal budget",
    )  # fmt: skip
