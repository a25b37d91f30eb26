"""What the council knows of quality: star ratings (of providers, PAs and brokers), quality
assessments (QAF) and spot checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User

from ..models import Broker, PersonalAssistant, Provider, QualityAssessment, SpotCheck, StarRating
from .common import save_audited


def add_rating(
    actor: User | None, subject: Provider | PersonalAssistant | Broker, data: Mapping[str, Any], reason: str
) -> StarRating:
    key = {Provider: "provider", PersonalAssistant: "personal_assistant", Broker: "broker"}[type(subject)]
    rating = StarRating(authority=subject.authority, **{key: subject})
    return save_audited(actor, rating, data, reason)


def add_quality_assessment(
    actor: User | None, provider: Provider, data: Mapping[str, Any], reason: str
) -> QualityAssessment:
    service = data.get("service")
    if service is not None and service.provider_id != provider.pk:
        raise ServiceError({"service": ["Choose one of this provider's services"]})
    return save_audited(
        actor, QualityAssessment(authority=provider.authority, provider=provider), data, reason
    )


def add_spot_check(actor: User | None, provider: Provider, data: Mapping[str, Any], reason: str) -> SpotCheck:
    return save_audited(actor, SpotCheck(authority=provider.authority, provider=provider), data, reason)
