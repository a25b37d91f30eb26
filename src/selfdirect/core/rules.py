"""An authority's rules as data it manages itself, one kind at a time (money rules, plan rules...):
upload a YAML file (every problem reported at once, with its file, line and path), publish it with
the date it takes effect (frozen from then on), see the history and compare any two versions side by
side. Each app registers its kind (how to check a file, and where a demo authority's starting file
is) from its AppConfig.ready(); core knows none of them.

The version in force on a day is the newest published one whose date has come. A demo authority
that has published none yet has its file from the repository published for it on first use (the
demo and the tests start that way); a new authority needs nothing from the repository: it uploads
its own, or starts from a copy of another authority's (create_authority --rules-from)."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import audit
from .constants import AuditAction
from .dates import format_date
from .models import Authority, RulesVersion, User
from .policy_yaml import PolicyProblem, PolicyYamlError

Status = RulesVersion.Status


@dataclass(frozen=True)
class Parsed:
    """What a kind's check gives back about a good file: its title and the day it takes effect."""

    title: str
    effective_from: dt.date
    rules: Any


@dataclass(frozen=True)
class Kind:
    key: str  # "money"
    label: str  # "Money rules"
    filename: str  # "ledger.yaml": a demo authority's file, and the name an upload is shown with
    check: Callable[[str, str], tuple[Parsed | None, list[PolicyProblem]]]
    starting_text: Callable[[str], tuple[str, str] | None]  # a demo authority's (text, file) in the repository
    managed_by: frozenset[str]  # the roles that upload and publish
    read_by: frozenset[str]  # the roles that may read


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    _kinds[kind.key] = kind


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda k: k.label)


def kind(key: str) -> Kind:
    return _kinds[key]


class RulesRefused(Exception):
    """The file cannot be used: every problem, each with its file and line."""

    def __init__(self, problems: list[PolicyProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check(key: str, text: str, filename: str) -> Parsed:
    """The parsed rules, or RulesRefused with every problem at once."""
    try:
        parsed, problems = kind(key).check(text, filename)
    except PolicyYamlError as exc:
        raise RulesRefused(exc.problems) from None
    if parsed is None:
        raise RulesRefused(problems)
    return parsed


def upload(actor: User | None, authority: Authority, key: str, text: str, filename: str) -> RulesVersion:
    """Keep a checked file as a draft version. The same text twice is the same version."""
    parsed = check(key, text, filename)
    digest = content_hash(text)
    existing = RulesVersion.objects.filter(authority=authority, kind=key, content_hash=digest).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            version = RulesVersion.objects.create(
                authority=authority, kind=key, title=parsed.title, effective_from=parsed.effective_from,
                yaml_text=text, content_hash=digest, filename=filename[:200], uploaded_by=actor,
            )  # fmt: skip
            audit.record(actor=actor, authority=authority, action=AuditAction.CREATE, obj=version,
                         reason=f"{kind(key).label} uploaded from {filename}")  # fmt: skip
    except IntegrityError:  # the same text uploaded at the same moment by someone else
        return RulesVersion.objects.get(authority=authority, kind=key, content_hash=digest)
    return version


def in_force_now(authority: Authority, key: str, on: dt.date | None = None) -> RulesVersion | None:
    on = on or timezone.localdate()
    return (
        RulesVersion.objects.filter(authority=authority, kind=key, status=Status.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from", "-published_at")
        .first()
    )


def publish(actor: User | None, version: RulesVersion, reason: str) -> RulesVersion:
    """Put a draft in force from its date. Refused when a published version of the same kind already
    takes effect on that date or later: the rules in force never change behind anyone's back."""
    if not reason.strip():
        raise RulesRefused([PolicyProblem(version.filename, 1, "", "say why you are publishing it")])
    with transaction.atomic():
        locked = RulesVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status == Status.PUBLISHED:
            return locked
        later = (
            RulesVersion.objects.filter(authority=locked.authority, kind=locked.kind, status=Status.PUBLISHED,
                                        effective_from__gte=locked.effective_from)  # fmt: skip
            .order_by("-effective_from")
            .first()
        )
        if later is not None:
            raise RulesRefused([PolicyProblem(
                locked.filename, 1, "effective_from",
                f"must be after {format_date(later.effective_from)}, when {later.title} took effect: "
                "a new version takes effect after the one in force",
            )])  # fmt: skip
        RulesVersion.objects.filter(pk=locked.pk).update(
            status=Status.PUBLISHED, published_by=actor, published_at=timezone.now()
        )
        locked.refresh_from_db()
        audit.record(actor=actor, authority=locked.authority, action=AuditAction.CHANGE, obj=locked, reason=reason,
                     changes={"status": ["draft", "published"],
                              "takes effect": [None, format_date(locked.effective_from)]})  # fmt: skip
    return locked


def rules_text(authority: Authority, key: str, on: dt.date | None = None) -> RulesVersion | None:
    """The version in force on ``on`` (today by default); before its first version took effect, the
    first. For a demo authority that has published none, its starting file from the repository is
    published for it first. None when the authority has no rules of this kind."""
    found = in_force_now(authority, key, on)
    if found is not None:
        return found
    earliest = (
        RulesVersion.objects.filter(authority=authority, kind=key, status=Status.PUBLISHED)
        .order_by("effective_from", "published_at")
        .first()
    )
    if earliest is not None:
        return earliest  # a day before its first rules took effect (history brought in): the first rules
    starting = kind(key).starting_text(authority.slug)
    if starting is None:
        return None
    text, filename = starting
    version = upload(None, authority, key, text, filename)
    try:
        publish(None, version, "The demo authority's starting rules, from the repository")
    except RulesRefused:
        return None
    return in_force_now(authority, key, on)


def copy_from(actor: User | None, target: Authority, source: Authority) -> list[RulesVersion]:
    """A new authority starts from another's rules: each kind's version in force there, published here."""
    copied = []
    for k in kinds():
        found = rules_text(source, k.key)
        if found is None:
            continue
        version = upload(actor, target, k.key, found.yaml_text, found.filename)
        copied.append(publish(actor, version, f"Started from {source.name}'s {k.label.lower()}"))
    return copied


@dataclass(frozen=True)
class DiffRow:
    left_line: int | None
    left: str
    right_line: int | None
    right: str
    change: str  # "same", "changed", "removed", "added"


def compare(old: str, new: str) -> list[DiffRow]:
    """Two versions side by side, line by line, each row saying whether it changed."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [DiffRow(i1 + n + 1, a[i1 + n], j1 + n + 1, b[j1 + n], "same") for n in range(i2 - i1)]
            continue
        for n in range(max(i2 - i1, j2 - j1)):
            left = i1 + n if i1 + n < i2 else None
            right = j1 + n if j1 + n < j2 else None
            change = "changed" if left is not None and right is not None else ("removed" if right is None else "added")
            rows.append(DiffRow(None if left is None else left + 1, "" if left is None else a[left],
                                None if right is None else right + 1, "" if right is None else b[right], change))  # fmt: skip
    return rows
