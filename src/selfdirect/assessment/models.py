"""A self-assessment: the person's answers and the assessor's, side by side, under one policy version."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from selfdirect.core.models import Authority
from selfdirect.people.models import Person
from selfdirect.policies.models import PolicyVersion

from .constants import AssessmentStatus, Respondent


class Assessment(models.Model):
    """One assessment of one person against the questionnaire of one published policy version.

    Answers are JSON keyed by question id: yes/no as true/false, choices as strings (a list
    for multiple choice), numbers as decimal strings (never floats), text as strings.
    """

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="assessments")
    on = models.DateField(help_text="The assessment date: the policy in force on it applies")
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    person_answers = models.JSONField(default=dict, blank=True)
    assessor_answers = models.JSONField(default=dict, blank=True)
    respondent = models.CharField(max_length=20, choices=Respondent.choices, default=Respondent.PERSON)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who last recorded the person's answers",
    )  # fmt: skip
    submitted_at = models.DateTimeField(null=True, blank=True)
    derived_band = models.CharField(max_length=20, blank=True)
    band = models.CharField(max_length=20, blank=True, help_text="The band the assessor confirmed")
    band_reason = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["authority", "person", "-created_at"])]

    def __str__(self) -> str:
        return f"Assessment {self.pk} of {self.person} ({self.on:%d %B %Y})"

    @property
    def combined_answers(self) -> dict[str, object]:
        """The person's answers with the assessor's laid over them: what an allocation uses."""
        return {**self.person_answers, **self.assessor_answers}
