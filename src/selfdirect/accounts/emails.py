"""The emails accounts send, as plain text: what happened, what to do, and by when. They go
through Django's email backend (SMTP in production: settings.py, ``SELFDIRECT_SMTP_*``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from selfdirect.core.dates import format_date

from .models import Invitation


def invitation(invitation: Invitation, link: str, roles: list[str]) -> None:
    """``roles``: the names of the roles it gives, in order."""
    expires = timezone.localtime(invitation.expires_at)
    body = render_to_string("accounts/email/invitation.txt", {
        "invitation": invitation, "link": link, "roles": roles,
        "expires": f"{format_date(expires.date())} at {expires:%H:%M}", "username": invitation.email,
    })  # fmt: skip
    send_mail(
        f"Set up your account for {invitation.authority.name}'s care and support budgets",
        body, settings.DEFAULT_FROM_EMAIL, [invitation.email],
    )  # fmt: skip
