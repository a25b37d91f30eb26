"""The one setting reporting keeps per authority: its personal budget target."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from selfdirect.core.models import Authority

DEFAULT_TARGET_PERCENT = Decimal(30)
"""Seed 004 Q1: 30% of eligible service users on personal budgets by April 2011."""


class ReportingSettings(models.Model):
    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="reporting_settings")
    pb_target_percent = models.DecimalField(
        "personal budget target (% of eligible people)",
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_TARGET_PERCENT,
    )
    target_source = models.CharField(
        max_length=300, default="Seed 004 Q1: 30% of eligible people on personal budgets by April 2011"
    )

    def __str__(self) -> str:
        return f"Reporting settings for {self.authority}"
