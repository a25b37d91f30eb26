"""Published policy versions: what an assessment asks and an allocation is worked out under.

A PolicyVersion holds the YAML text itself: once published it is frozen (the row refuses
changes), so any assessment or allocation can be traced to the exact rules and rates it used.
The table is still ``allocation_policyversion``: the model moved here from the allocation app
(so assessment and allocation both build on it without importing each other), its rows did not.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from selfdirect.core.dates import format_date
from selfdirect.core.models import Authority

from .constants import PolicyStatus


class PolicyFrozen(Exception):
    """A published policy version cannot be changed or deleted."""


class PolicyVersion(models.Model):
    """One dated version of an authority's resource allocation policy."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="policy_versions")
    policy_id = models.CharField(max_length=100, help_text="The policy's `id`, e.g. northshire-2026")
    title = models.CharField(max_length=200)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    version_id = models.CharField(max_length=120, help_text="policy id @ first 12 characters of the hash")
    filename = models.CharField(max_length=200)
    yaml_text = models.TextField()
    status = models.CharField(max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "allocation_policyversion"
        ordering = ["-effective_from", "-uploaded_at"]
        constraints = [
            # One published version per policy id; the same text may be uploaded once per authority.
            models.UniqueConstraint(
                fields=["authority", "policy_id"],
                condition=models.Q(status="published"),
                name="policyversion_one_published_per_id",
            ),
            models.UniqueConstraint(fields=["authority", "content_hash"], name="policyversion_unique_hash"),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = PolicyVersion.objects.filter(pk=self.pk).values("status").first()
            if stored is not None and stored["status"] == PolicyStatus.PUBLISHED:
                raise PolicyFrozen(f"{self.version_id} is published and cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_published:
            raise PolicyFrozen(f"{self.version_id} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def label(self) -> str:
        """The version as people name it: its title and the day it comes into force (a draft says
        when it was uploaded, to tell two drafts of one policy apart). The version id, with its
        hash, stays in data and the API."""
        shown = f"{self.title}, from {format_date(self.effective_from)}"
        if self.status != PolicyStatus.PUBLISHED and self.uploaded_at is not None:
            uploaded = timezone.localtime(self.uploaded_at)
            shown += f" (draft uploaded {format_date(uploaded)}, {uploaded:%H:%M})"
        return shown

    @property
    def is_published(self) -> bool:
        return self.status == PolicyStatus.PUBLISHED
