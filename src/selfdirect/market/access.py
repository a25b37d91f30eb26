"""Who may see which market records: one scope per model with an authority (core/access.py), the
one definition used by pages, the API and the CLI.

Staff who view the market (assessors, planners, finance, commissioners, administrators) see the
whole market of their authority; commissioners and administrators manage it. A provider user sees
and edits only the organisations they belong to (ProviderMembership), with those organisations'
services, rates and quality records. A person's arrangements and PA employments, with their
employer duties, belong to whoever may see the person (people.access). Areas and bank holidays are
public. Anything of another authority, or outside these scopes, is not found (404). The public
directory shows only listed, consenting, in-date entries (see :mod:`selfdirect.market.directory`)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from selfdirect.core import access
from selfdirect.core.constants import Role
from selfdirect.core.http import current_authority
from selfdirect.core.models import Authority, User
from selfdirect.people.access import people_scope

from .models import (
    Area,
    Arrangement,
    BankHoliday,
    Broker,
    Contract,
    ContractUsage,
    EmployerDuty,
    MarketSettings,
    PACheck,
    PAEmployment,
    PersonalAssistant,
    Provider,
    ProviderList,
    ProviderListEntry,
    QualityAssessment,
    RateTable,
    Service,
    SpotCheck,
    StarRating,
)

MANAGE_ROLES = frozenset({Role.COMMISSIONER, Role.ADMIN})
VIEW_ROLES = frozenset({Role.ASSESSOR, Role.PLANNER, Role.FINANCE, Role.COMMISSIONER, Role.ADMIN})

M = TypeVar("M", bound=Model)


def roles(user: User, authority: Authority | int | None) -> frozenset[str]:
    if authority is None or not user.is_authenticated:
        return frozenset()
    return user.roles_in(authority)


def views_market(user: User, authority: Authority | int | None) -> bool:
    return bool(roles(user, authority) & VIEW_ROLES)


def manages_market(user: User, authority: Authority | int | None) -> bool:
    return bool(roles(user, authority) & MANAGE_ROLES)


def own_provider_ids(user: User, authority: Authority | int | None) -> QuerySet[Provider]:
    if Role.PROVIDER not in roles(user, authority):
        return Provider.objects.none()
    return Provider.objects.filter(authority=authority, members__user=user)


def edits_provider(user: User, provider: Provider) -> bool:
    return (
        manages_market(user, provider.authority_id)
        or own_provider_ids(user, provider.authority_id).filter(pk=provider.pk).exists()
    )


def visible(request: Any, model: type[Model], pk: int) -> Any:
    """A market record of the request's authority, when the user views the market; otherwise 404
    (a record they may not see answers as one that does not exist)."""
    authority = current_authority(request)
    if not views_market(request.user, authority):
        raise Http404("not visible")
    return get_object_or_404(access.scoped(model, request.user, authority), pk=pk)


def _market_wide(model: type[M], user: User, authority: Authority | int | None) -> QuerySet[M]:
    """Rows of the authority's market as a whole: those who view the market see them all."""
    if not views_market(user, authority):
        return model._default_manager.none()
    return model._default_manager.filter(authority=authority)


def _about_providers(model: type[M], user: User, authority: Authority | int | None) -> QuerySet[M]:
    """Rows about providers: the whole market's to those who view it, a provider user's own
    organisations' to them."""
    if views_market(user, authority):
        return model._default_manager.filter(authority=authority)
    return model._default_manager.filter(authority=authority, provider__in=own_provider_ids(user, authority))


def _public(model: type[M], authority: Authority | int | None) -> QuerySet[M]:
    if authority is None:
        return model._default_manager.none()
    return model._default_manager.filter(authority=authority)


@access.scope(MarketSettings)
def settings_scope(user: User, authority: Authority | int | None) -> QuerySet[MarketSettings]:
    """The authority's market policy: those who view the market (its rules reach others through
    the services that apply them, e.g. a family PA refused)."""
    return _market_wide(MarketSettings, user, authority)


@access.scope(Area)
def area_scope(user: User | None, authority: Authority | int | None) -> QuerySet[Area]:
    """The authority's areas: public, as the directory filters by them for anyone, signed in or not."""
    return _public(Area, authority)


@access.scope(BankHoliday)
def bank_holiday_scope(user: User | None, authority: Authority | int | None) -> QuerySet[BankHoliday]:
    """The bank holidays rates are worked out by: public."""
    return _public(BankHoliday, authority)


@access.scope(Provider)
def provider_scope(user: User, authority: Authority | int | None) -> QuerySet[Provider]:
    """The providers ``user`` may see in ``authority``."""
    if views_market(user, authority):
        return Provider.objects.filter(authority=authority)
    return own_provider_ids(user, authority)


@access.scope(Service)
def service_scope(user: User, authority: Authority | int | None) -> QuerySet[Service]:
    """The services of the providers ``user`` may see."""
    return Service.objects.filter(authority=authority, provider__in=provider_scope(user, authority))


@access.scope(RateTable)
def rate_table_scope(user: User, authority: Authority | int | None) -> QuerySet[RateTable]:
    """The rate tables of the services ``user`` may see."""
    return RateTable.objects.filter(authority=authority, service__in=service_scope(user, authority))


@access.scope(StarRating)
def rating_scope(user: User, authority: Authority | int | None) -> QuerySet[StarRating]:
    """Star ratings: all to those who view the market; a provider user, their organisations'."""
    return _about_providers(StarRating, user, authority)


@access.scope(QualityAssessment)
def quality_scope(user: User, authority: Authority | int | None) -> QuerySet[QualityAssessment]:
    """Quality assessments (QAF): all to those who view the market; a provider user, their own."""
    return _about_providers(QualityAssessment, user, authority)


@access.scope(SpotCheck)
def spot_check_scope(user: User, authority: Authority | int | None) -> QuerySet[SpotCheck]:
    """Spot checks: all to those who view the market; a provider user, those of their own."""
    return _about_providers(SpotCheck, user, authority)


@access.scope(PersonalAssistant)
def pa_scope(user: User, authority: Authority | int | None) -> QuerySet[PersonalAssistant]:
    """The register of personal assistants (the public see the directory's listing instead)."""
    return _market_wide(PersonalAssistant, user, authority)


@access.scope(PACheck)
def pa_check_scope(user: User, authority: Authority | int | None) -> QuerySet[PACheck]:
    """The checks, references and training recorded for PAs on the register."""
    return _market_wide(PACheck, user, authority)


@access.scope(Broker)
def broker_scope(user: User, authority: Authority | int | None) -> QuerySet[Broker]:
    """Brokers and support planners (the public see the directory's listing instead)."""
    return _market_wide(Broker, user, authority)


@access.scope(ProviderList)
def list_scope(user: User, authority: Authority | int | None) -> QuerySet[ProviderList]:
    """Preferred-provider and framework lists."""
    return _market_wide(ProviderList, user, authority)


@access.scope(ProviderListEntry)
def list_entry_scope(user: User, authority: Authority | int | None) -> QuerySet[ProviderListEntry]:
    """The services on those lists, with their prices."""
    return _market_wide(ProviderListEntry, user, authority)


@access.scope(Contract)
def contract_scope(user: User, authority: Authority | int | None) -> QuerySet[Contract]:
    """Contracts with providers."""
    return _market_wide(Contract, user, authority)


@access.scope(ContractUsage)
def usage_scope(user: User, authority: Authority | int | None) -> QuerySet[ContractUsage]:
    """The usage recorded against contracts."""
    return _market_wide(ContractUsage, user, authority)


@access.scope(Arrangement)
def arrangement_scope(user: User, authority: Authority | int | None) -> QuerySet[Arrangement]:
    """The services arranged for the people ``user`` may see."""
    return Arrangement.objects.filter(authority=authority, person__in=people_scope(user, authority))


@access.scope(PAEmployment)
def employment_scope(user: User, authority: Authority | int | None) -> QuerySet[PAEmployment]:
    """The PAs employed by the people ``user`` may see."""
    return PAEmployment.objects.filter(authority=authority, person__in=people_scope(user, authority))


@access.scope(EmployerDuty)
def duty_scope(user: User, authority: Authority | int | None) -> QuerySet[EmployerDuty]:
    """The employer duties of the people ``user`` may see."""
    return EmployerDuty.objects.filter(
        authority=authority, employment__person__in=people_scope(user, authority)
    )
