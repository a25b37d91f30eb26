"""The council's own pages, linked from every page's footer: accessibility statement, privacy
notice and cookies. Each is the council's text when it has written one (an administrator changes
it on the page, with a reason kept in the audit log), else a starting text naming the council."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction

from . import audit
from .constants import AuditAction
from .models import Authority, AuthorityPage, User

Kind = AuthorityPage.Kind
MAX_BODY = 20_000
STARTING_TEXTS = Path(__file__).resolve().parent / "templates" / "core" / "info"


def text_of(authority: Authority | None, kind: str) -> tuple[str, dt.datetime | None]:
    """The page's text and when the council last changed it (None: the starting text)."""
    page = AuthorityPage.objects.filter(authority=authority, kind=kind).first() if authority else None
    if page is not None:
        return page.body, page.updated_at
    name = authority.name if authority else "the council"
    return (STARTING_TEXTS / f"{kind}.txt").read_text(encoding="utf-8").replace("{{ name }}", name), None


def blocks(text: str) -> list[tuple[str, str]]:
    """Paragraphs separated by blank lines, each ("heading", text) when it starts with ##, else
    ("paragraph", text), its line breaks joined."""
    out = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        words = " ".join(chunk.split())
        if words.startswith("##"):
            out.append(("heading", words.lstrip("#").strip()))
        elif words:
            out.append(("paragraph", words))
    return out


def save(actor: User, authority: Authority, kind: str, body: str, reason: str) -> AuthorityPage:
    with transaction.atomic():
        page = AuthorityPage.objects.select_for_update().filter(authority=authority, kind=kind).first()
        before = page.body if page else None
        page = page or AuthorityPage(authority=authority, kind=kind)
        page.body, page.updated_by = body, actor
        page.save()
        audit.record(
            actor=actor, authority=authority, action=AuditAction.CHANGE if before is not None else AuditAction.CREATE,
            obj=page, reason=reason, changes={"body": [before, body]},
        )  # fmt: skip
    return page
