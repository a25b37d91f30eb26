"""What can be done with policy versions: check, upload, publish, and find the one in force.
Views, the API and the CLI call these; each change is written in one transaction with its audit
event. The engine's Policy for a stored version is parsed once per process."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from selfdirect.core import audit
from selfdirect.core.constants import AuditAction
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User

from . import engine
from .constants import PolicyStatus
from .models import PolicyVersion


class PolicyRefused(ServiceError):
    """A policy that does not validate: every problem, each with its file, line and path."""

    def __init__(self, problems: Sequence[engine.PolicyProblem]):
        self.problems = list(problems)
        super().__init__({"yaml": [str(p) for p in self.problems]})


_cache: dict[str, engine.Policy] = {}
_cache_lock = threading.Lock()


def policy_for(version: PolicyVersion) -> engine.Policy:
    """The engine's Policy for a stored version, parsed once per process (keyed by content hash)."""
    found = _cache.get(version.content_hash)
    if found is None:
        found = engine.load_policy(version.yaml_text, filename=version.filename)
        with _cache_lock:
            _cache[version.content_hash] = found
    return found


def check_policy(text: str, filename: str) -> tuple[engine.Policy | None, list[engine.PolicyProblem]]:
    """Validate policy YAML text: the policy, or every problem found."""
    try:
        return engine.load_policy(text, filename=filename), []
    except engine.PolicyError as exc:
        return None, list(exc.errors)


def upload_policy(actor: User | None, authority: Authority, text: str, filename: str) -> PolicyVersion:
    """Store a valid policy as a draft version of ``authority``'s policy (refused with every problem)."""
    return store_policy(actor, authority, text, filename)[0]


def store_policy(
    actor: User | None, authority: Authority, text: str, filename: str
) -> tuple[PolicyVersion, bool]:
    """:func:`upload_policy`, also saying whether a new draft was made (True) or the same content was
    already stored, as a draft or published (False), so a page can say truthfully what happened."""
    filename = filename.rsplit("/", 1)[-1] or "policy.yaml"
    policy, problems = check_policy(text, filename)
    if policy is None:
        raise PolicyRefused(problems)
    if policy.authority != authority.slug:
        raise PolicyRefused(
            [
                engine.PolicyProblem(
                    filename,
                    1,
                    "authority",
                    f"this policy is for {policy.authority!r}, not {authority.slug!r}",
                )
            ]
        )
    existing = PolicyVersion.objects.filter(authority=authority, content_hash=policy.content_hash).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        m = policy.model
        version = PolicyVersion.objects.create(
            authority=authority, policy_id=policy.id, title=m.title, effective_from=m.effective_from,
            effective_to=m.effective_to, content_hash=policy.content_hash, version_id=policy.version_id,
            filename=filename, yaml_text=text, uploaded_by=actor,
        )  # fmt: skip
        audit.record(
            actor=actor, authority=authority, action=AuditAction.CREATE, obj=version,
            reason=f"Policy {policy.version_id} uploaded from {filename}",
        )  # fmt: skip
    with _cache_lock:
        _cache[policy.content_hash] = policy
    return version, True


def publish_policy(actor: User | None, version: PolicyVersion, reason: str = "") -> PolicyVersion:
    """Freeze a draft version: from now on it is used for allocations and never changes."""
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            raise ServiceError(f"{version.label} is already published")
        clash = PolicyVersion.objects.filter(
            authority_id=version.authority_id, status=PolicyStatus.PUBLISHED, policy_id=version.policy_id
        ).first()
        if clash is not None:
            raise ServiceError(
                {"policy_id": [f"policy id {version.policy_id!r} is already published as {clash.label}; "
                               "give the new version a new id"]}
            )  # fmt: skip
        version.status = PolicyStatus.PUBLISHED
        version.published_by = actor
        version.published_at = timezone.now()
        version.save()
        audit.record(
            actor=actor, authority=version.authority, action=AuditAction.CHANGE, obj=version,
            reason=reason.strip() or f"Published {version.version_id}",
            changes={"status": [PolicyStatus.DRAFT, PolicyStatus.PUBLISHED]},
        )  # fmt: skip
    return version


def publish_file(actor: User | None, authority: Authority, text: str, filename: str) -> PolicyVersion:
    """Upload and publish in one step (the CLI and the demo); publishing the same text again is a no-op."""
    version = upload_policy(actor, authority, text, filename)
    if not version.is_published:
        version = publish_policy(actor, version, f"Published {version.version_id} from {filename}")
    return version


def published_versions(authority: Authority | int) -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(authority=authority, status=PolicyStatus.PUBLISHED)


def newest_first(authority: Authority | int) -> QuerySet[PolicyVersion]:
    """The published versions in the order :func:`version_in_force` reads them."""
    return published_versions(authority).order_by("-effective_from", "-published_at")


def version_in_force(versions: Iterable[PolicyVersion], on: dt.date) -> PolicyVersion | None:
    """Of ``versions`` (newest first, as :func:`newest_first` gives them), the one in force on
    ``on``: the latest effective_from wins. None if none is."""
    for version in versions:
        if version.effective_from <= on and (version.effective_to is None or on <= version.effective_to):
            return version
    return None


def policy_in_force(authority: Authority | int, on: dt.date) -> PolicyVersion:
    """The published version in force on ``on`` (latest effective_from wins)."""
    version = version_in_force(newest_first(authority), on)
    if version is None:
        raise ServiceError({"on": [f"No published policy is in force on {on:%d %B %Y}"]})
    return version


def describe_missing(missing: Sequence[engine.MissingAnswer], policy: engine.Policy) -> list[str]:
    """Each unanswered question in words, with the part of the questionnaire it is in (for "Still
    to answer: ..."); the question's id stays in the data."""
    return [f"{m.person} ({policy.domains[m.domain].title})" for m in missing]
