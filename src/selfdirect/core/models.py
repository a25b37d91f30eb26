"""Authorities (tenancy), users and their roles, the audit log, sign-in throttling and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .constants import AuditAction, Role


class Authority(models.Model):
    """A council. Every record in selfdirect belongs to exactly one authority."""

    slug = models.SlugField(unique=True, help_text="Short name used in files and policies, e.g. northshire")
    name = models.CharField(max_length=200, unique=True)
    ons_code = models.CharField("ONS code", max_length=9, blank=True)
    second_factor_required = models.BooleanField(
        "staff must use a second factor", default=False,
        help_text="Staff who sign in with a password also enter a code from an authenticator app",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.name


class AuthorityPage(models.Model):
    """A page of the council's own words, linked from every page's footer: its accessibility
    statement, privacy notice and cookies page. Until the council writes its own, a starting text
    naming the council is shown (core/templates/core/info/)."""

    class Kind(models.TextChoices):
        ACCESSIBILITY = "accessibility", "Accessibility statement"
        PRIVACY = "privacy", "Privacy notice"
        COOKIES = "cookies", "Cookies"

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="pages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = models.TextField(help_text="Paragraphs separated by a blank line")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "kind"], name="core_authority_page_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.authority}"


class AuthorityLogo(models.Model):
    """The council's logo, shown in the header of every page of its service (public pages
    included). Kept in the database, not on a disk, so every server of a deployment has it."""

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, primary_key=True, related_name="logo")
    image = models.BinaryField()
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Logo of {self.authority}"


class RulesVersion(models.Model):
    """One dated version of one kind of an authority's rules (its money rules, say) as YAML: uploaded
    as a draft, checked, then published, after which it never changes. The version in force on a day
    is the newest published one whose date has come (core/rules.py)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="rules_versions")
    kind = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    effective_from = models.DateField()
    yaml_text = models.TextField()
    content_hash = models.CharField(max_length=64)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_from", "-published_at", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "kind", "content_hash"], name="rulesversion_unique_text"),
        ]
        indexes = [models.Index(fields=["authority", "kind", "status", "-effective_from"])]

    def __str__(self) -> str:
        return f"{self.title}, from {self.effective_from:%d %B %Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = RulesVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == RulesVersion.Status.PUBLISHED:
                raise PermissionError("A published version of the rules never changes")
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A person who signs in. What they may see depends on their memberships, not on this row."""

    full_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    def roles_in(self, authority: Authority | int | None) -> frozenset[str]:
        """The roles this user holds in one authority (cached per user object)."""
        if authority is None:
            return frozenset()
        authority_id = authority if isinstance(authority, int) else authority.pk
        cache: dict[int, frozenset[str]] = self.__dict__.setdefault("_roles_cache", {})
        if authority_id not in cache:
            cache[authority_id] = frozenset(
                Membership.objects.filter(user=self, authority_id=authority_id).values_list("role", flat=True)
            )
        return cache[authority_id]

    def authorities(self) -> models.QuerySet[Authority]:
        return Authority.objects.filter(memberships__user=self).distinct()


class Membership(models.Model):
    """One role held by one user in one authority."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "authority", "role"], name="membership_unique_role"),
        ]
        ordering = ["authority__name", "role"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.authority}"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only")


class AuditEvent(models.Model):
    """Who did what to which record, when, and why. Append-only: the database refuses edits too."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="audit_events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(
        max_length=200, help_text="Who, as shown at the time (kept if the user goes)"
    )
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    object_label = models.CharField(max_length=200)
    # The person the change concerns, by id, so each person's history page is one indexed query. An
    # id, not a foreign key: core knows no domain app, and the log outlives what it speaks of.
    person_id = models.BigIntegerField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="field: [before, after]")
    reason = models.TextField()

    objects: ClassVar[AppendOnlyQuerySet] = AppendOnlyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person_id", "-at"], name="core_audite_person__5ebef7_idx"),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only")


class FailedLogin(models.Model):
    """A failed sign-in, kept to slow down password guessing for an account from an address."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} at {self.at:%Y-%m-%d %H:%M}"


TOKEN_USE_RECORDED_EVERY = dt.timedelta(minutes=5)
"""How stale an API token's ``last_used_at`` may be: enough to see which tokens are in use."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its hash is stored; the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="After this it no longer works; empty: never")
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def mark_used(self) -> None:
        """Note that the token was used, at most once every :data:`TOKEN_USE_RECORDED_EVERY`: a
        write on every call made every API read a write, and on SQLite each write waits for the one
        database lock (an import holding it made reads fail with "database is locked")."""
        now = timezone.now()
        stale = now - TOKEN_USE_RECORDED_EVERY
        if self.last_used_at is not None and self.last_used_at > stale:
            return
        ApiToken.objects.filter(pk=self.pk).filter(
            models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=stale)
        ).update(last_used_at=now)
        self.last_used_at = now

    @classmethod
    def issue(
        cls, user: User, authority: Authority, name: str, expires_at: dt.datetime | None = None
    ) -> tuple[ApiToken, str]:
        raw = "sd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, authority=authority, name=name, key_hash=hash_token(raw), prefix=raw[:8],
            expires_at=expires_at,
        )  # fmt: skip
        return token, raw

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "Revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "Expired"
        return "In use"
