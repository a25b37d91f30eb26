"""Accounts a council manages itself: invitations to set up an account (staff, or a person and
their representative from the person's record) and the record of an account switched off."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from selfdirect.core.models import Authority
from selfdirect.people.models import Person, Representative, Team


def hash_link(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_link() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An email sent with a one-time link to set a password. Only the link's hash is kept: a copy of
    the database cannot be used to accept an invitation."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    roles = models.JSONField(help_text="The roles given when the invitation is accepted")
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    representative = models.ForeignKey(
        Representative, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    link_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["authority", "email"])]

    def __str__(self) -> str:
        return f"Invitation to {self.full_name} ({self.email})"

    @property
    def waiting(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "Accepted"
        if self.withdrawn_at:
            return "Withdrawn"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Waiting"


class Deactivation(models.Model):
    """An account switched off in one authority: its roles and teams there, kept so that switching
    it back on can offer them again (the audit log keeps the whole story)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deactivations")
    roles = models.JSONField()
    team_ids = models.JSONField(default=list)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "user"], name="accounts_deactivated_once")]

    def __str__(self) -> str:
        return f"{self.user} switched off"


class IdentityProvider(models.Model):
    """The council's own sign-in for its staff (OpenID Connect): staff sign in with their council
    account, matched to an account here by its verified email; roles still come from here."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="identity_provider")
    issuer = models.URLField("issuer address", help_text="For example https://login.microsoftonline.com/<tenant>/v2.0")
    client_id = models.CharField("client ID", max_length=200)
    client_secret = models.CharField(max_length=500)
    # Read from the issuer's discovery document when saved.
    authorization_endpoint = models.URLField()
    token_endpoint = models.URLField()
    userinfo_endpoint = models.URLField()
    jwks_uri = models.URLField()
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Sign-in of {self.authority}"
