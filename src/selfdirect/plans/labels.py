"""The plans' codes in words, registered with core.words: spending categories as the authority's
plan rules title them, and a version of the plan rules by the day it was loaded."""

from __future__ import annotations

from django.utils import timezone

from selfdirect.core import words
from selfdirect.core.dates import format_date

from . import policy
from .models import PlanRules


def _categories(authority_id: int) -> dict[str, str]:
    row = PlanRules.objects.filter(authority_id=authority_id).select_related("authority").first()
    if row is None:
        return {}
    rules = policy.load_plans_policy(row.yaml_text, "plans.yaml", row.authority.slug)
    return {c.id: c.title for c in rules.spending_categories}


def _rules_versions(authority_id: int) -> dict[str, str]:
    return {
        row.version_id: f"the plan rules loaded on {format_date(timezone.localtime(row.loaded_at))}"
        for row in PlanRules.objects.filter(authority_id=authority_id)
    }


def register() -> None:
    words.register("plan_category", _categories, fields=["plans.spendingline.category"])
    words.register("plan_rules", _rules_versions)
