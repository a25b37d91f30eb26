"""An authority's plan policies: outcomes.yaml (its outcome frameworks) and plans.yaml (its plan
rules), loaded from policies/<slug>/ and kept so every plan can say which rules it met."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User

from .. import policy
from ..models import FrameworkOutcome, OutcomeFramework, PlanRules


def policies_root() -> Path:
    return Path(getattr(settings, "SELFDIRECT_POLICIES_DIR", settings.PROJECT_DIR / "policies"))


@lru_cache(maxsize=32)
def _parsed_rules(text: str, slug: str) -> policy.PlansPolicy:
    return policy.load_plans_policy(text, "plans.yaml", slug)


def current_rules(authority: Authority) -> tuple[policy.PlansPolicy, PlanRules]:
    """The authority's plan rules as last loaded; loaded from policies/<slug>/ on first use."""
    row = PlanRules.objects.filter(authority=authority).first()
    if row is None:
        load_policies(None, authority)
        row = PlanRules.objects.filter(authority=authority).first()
        if row is None:  # pragma: no cover - load_policies raises first
            raise ServiceError(f"{authority.slug} has no plan rules loaded")
    return _parsed_rules(row.yaml_text, authority.slug), row


@dataclass
class LoadSummary:
    frameworks: int
    outcomes: int
    retired: int
    rules_version: str
    rules_changed: bool


def load_policies(actor: User | None, authority: Authority, directory: Path | None = None) -> LoadSummary:
    """Load outcomes.yaml and plans.yaml for ``authority``. Both files are checked before anything is
    written; any problem raises PlanPolicyError listing every problem with file and line."""
    folder = directory or policies_root() / authority.slug
    problems: list[policy.PolicyProblem] = []
    outcomes_doc = plans_doc = None
    texts: dict[str, str] = {}
    for name in ("outcomes.yaml", "plans.yaml"):
        try:
            texts[name] = policy.read_file(folder / name)
        except policy.PlanPolicyError as exc:
            problems.extend(exc.problems)
    try:
        if "outcomes.yaml" in texts:
            outcomes_doc = policy.load_outcomes(
                texts["outcomes.yaml"], str(folder / "outcomes.yaml"), authority.slug
            )
    except policy.PlanPolicyError as exc:
        problems.extend(exc.problems)
    try:
        if "plans.yaml" in texts:
            plans_doc = policy.load_plans_policy(
                texts["plans.yaml"], str(folder / "plans.yaml"), authority.slug
            )
    except policy.PlanPolicyError as exc:
        problems.extend(exc.problems)
    if problems or outcomes_doc is None or plans_doc is None:
        raise policy.PlanPolicyError(problems)
    with transaction.atomic():
        seen: set[int] = set()
        count = 0
        for f_order, fdef in enumerate(outcomes_doc.frameworks):
            framework, _ = OutcomeFramework.objects.update_or_create(
                authority=authority, key=fdef.id,
                defaults={"title": fdef.title, "source": fdef.source, "order": f_order},
            )  # fmt: skip
            for o_order, odef in enumerate(fdef.outcomes):
                outcome, _ = FrameworkOutcome.objects.update_or_create(
                    framework=framework, code=odef.code,
                    defaults={"authority": authority, "title": odef.title, "order": o_order, "retired": False},
                )  # fmt: skip
                seen.add(outcome.pk)
                count += 1
        retired = (
            FrameworkOutcome.objects.filter(authority=authority, retired=False)
            .exclude(pk__in=seen)
            .update(retired=True)
        )
        text = texts["plans.yaml"]
        digest = policy.content_hash(text)
        rules_row = PlanRules.objects.filter(authority=authority).first()
        changed = rules_row is None or rules_row.content_hash != digest
        if changed:
            PlanRules.objects.filter(authority=authority, content_hash=digest).delete()
            rules_row = PlanRules.objects.create(
                authority=authority, policy_id=plans_doc.id, content_hash=digest, yaml_text=text
            )
            audit.record(
                actor=actor, authority=authority, action=AuditAction.IMPORT, obj=rules_row,
                reason=f"Plan rules loaded from {folder / 'plans.yaml'}",
            )  # fmt: skip
        assert rules_row is not None
        return LoadSummary(len(outcomes_doc.frameworks), count, retired, rules_row.version_id, changed)
