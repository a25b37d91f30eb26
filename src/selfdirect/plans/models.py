"""Support plans and their governance: outcomes linked to frameworks, spending lines, the four risk
questions, the transition log, the risk enablement panel, appeals, reviews, monitoring visits and
refusals. Every row belongs to an authority; money is integer pence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse

from selfdirect.core.dates import add_months, format_date
from selfdirect.core.models import Authority
from selfdirect.people.models import Person

from .constants import (
    AppealOutcome,
    Attendance,
    Deployment,
    Frequency,
    Helper,
    InvitationSent,
    LineKind,
    PanelDecision,
    PlanState,
    Progress,
    RefusalReason,
    ReviewKind,
    RiskLevel,
)


class PlanRules(models.Model):
    """An authority's plans.yaml as loaded: the text is kept so every plan can say which rules it met."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    policy_id = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)
    yaml_text = models.TextField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["authority", "content_hash"], name="planrules_unique")]

    def __str__(self) -> str:
        return self.version_id

    @property
    def version_id(self) -> str:
        return f"{self.policy_id}@{self.content_hash[:12]}"


class OutcomeFramework(models.Model):
    """A wider outcome framework (Supporting People, social care, local targets), from outcomes.yaml."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["authority", "key"], name="framework_unique_key")]

    def __str__(self) -> str:
        return self.title


class FrameworkOutcome(models.Model):
    """One outcome in a framework, e.g. 'Stay Safe 4a: maintain accommodation and avoid eviction'."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey(OutcomeFramework, on_delete=models.CASCADE, related_name="outcomes")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    retired = models.BooleanField(default=False, help_text="No longer in the policy file; kept for old plans")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework__order", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="outcome_unique_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class SupportPlan(models.Model):
    """A person's support plan, written by them with whatever help they choose."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="support_plans")
    state = models.CharField(max_length=20, choices=PlanState.choices, default=PlanState.DRAFT, db_index=True)
    # About the person
    what_matters = models.TextField("what matters to the person", blank=True)
    # Who helped write it
    helper = models.CharField("who helped write the plan", max_length=20, choices=Helper.choices, blank=True)
    helper_name = models.CharField("their name", max_length=200, blank=True)
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The support planner or broker, if they use selfdirect",
    )  # fmt: skip
    market_broker = models.ForeignKey(
        "market.Broker", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="broker from the market register",
        help_text="The support planner or broker from the authority's market register who helped",
    )  # fmt: skip
    # The money
    indicative_budget_pence = models.BigIntegerField(
        "indicative budget (pence a year)", help_text="The budget the plan is written against"
    )
    allocation = models.ForeignKey(
        "allocation.Allocation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The indicative budget (allocation) the plan is written against",
    )  # fmt: skip
    budget_source = models.CharField(
        max_length=300, help_text="How the indicative budget was worked out, and under which policy"
    )
    deployment = models.CharField(
        "who holds the money", max_length=20, choices=Deployment.choices, blank=True
    )
    deployment_notes = models.TextField("how the money is held", blank=True)
    # The four risk questions (seed 002, "The way forward for SP quality")
    risk_want = models.TextField("what do you want from your budget?", blank=True)
    risk_buy = models.TextField("how are you going to buy it?", blank=True)
    risk_risks = models.TextField("what risks might that bring?", blank=True)
    risk_manage = models.TextField("how are you going to manage those risks?", blank=True)
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    contingency = models.TextField("contingency for when needs change", blank=True)
    # Duration and review
    starts_on = models.DateField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(default=12)
    review_on = models.DateField("review date", null=True, blank=True)
    review_reason = models.CharField(max_length=300, blank=True)
    visits_per_year = models.PositiveSmallIntegerField(default=0)
    # Governance
    conditions = models.TextField("conditions of approval", blank=True)
    rules_version = models.CharField(
        max_length=120, blank=True, help_text="The plan rules it was checked against"
    )
    funding_ends_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    ledger_budget_ref = models.CharField(
        max_length=60, blank=True, help_text="The ledger budget agreed for it"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["authority", "state"]),
            models.Index(fields=["authority", "review_on"]),
        ]

    def __str__(self) -> str:
        return f"Support plan {self.pk} for {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])

    @property
    def annual_total_pence(self) -> int:
        return sum(line.annual_pence for line in self.lines.all())

    @property
    def ends_on(self) -> dt.date | None:
        if self.starts_on is None:
            return None

        return add_months(self.starts_on, self.duration_months)


class PlanOutcome(models.Model):
    """A personal outcome in the person's words, linked to wider framework outcomes where relevant."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="outcomes")
    text = models.CharField("what the person wants to achieve", max_length=500)
    how_measured = models.CharField("how we will know", max_length=500, blank=True)
    framework_outcomes = models.ManyToManyField(FrameworkOutcome, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class SpendingLine(models.Model):
    """How some of the money is spent: a unit cost times a quantity, at a frequency."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    category = models.CharField(max_length=40, help_text="A spending category from the plan rules")
    description = models.CharField(max_length=300)
    supplier = models.CharField("provider, PA or shop", max_length=200, blank=True)
    # Optional links to the market's registers; the supplier's name in words is always kept too.
    market_service = models.ForeignKey(
        "market.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    personal_assistant = models.ForeignKey(
        "market.PersonalAssistant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    broker = models.ForeignKey(
        "market.Broker", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.CharField(max_length=40, help_text="For example: hour, visit, item")
    quantity = models.DecimalField(max_digits=9, decimal_places=2)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    unit_cost_pence = models.BigIntegerField("cost of one unit (pence)")
    annual_pence = models.BigIntegerField("cost a year (pence)", help_text="Worked out from the other fields")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=Decimal(0)), name="line_quantity_positive"
            ),
            models.CheckConstraint(condition=models.Q(unit_cost_pence__gte=0), name="line_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return self.description


class PlanTransition(models.Model):
    """One step in a plan's workflow: who, when, why, and from which state to which."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, choices=PlanState.choices)
    to_state = models.CharField(max_length=20, choices=PlanState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=200)
    capacity = models.CharField(max_length=20, help_text="In which role the actor made it")
    at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} -> {self.to_state}"


class PanelMeeting(models.Model):
    """A weekly meeting of the risk enablement panel (seed 002: Oldham's meets weekly)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    meets_on = models.DateField()
    starts_at = models.TimeField(null=True, blank=True, help_text="From the plan rules' meeting_time")
    location = models.CharField(max_length=200, blank=True)
    minutes = models.TextField(blank=True)

    class Meta:
        ordering = ["meets_on"]
        constraints = [models.UniqueConstraint(fields=["authority", "meets_on"], name="meeting_unique_day")]

    def __str__(self) -> str:
        return f"Risk enablement panel, {self.meets_on:%-d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("plans:meeting", args=[self.pk])


class PanelReferral(models.Model):
    """A plan referred to the panel: why, on which meeting's agenda, who came and what was decided."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="referrals")
    meeting = models.ForeignKey(
        PanelMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    referred_at = models.DateTimeField()
    reasons = models.JSONField(
        default=list, help_text="The referral rules the plan met, and the worker's reason"
    )
    attendance = models.CharField(max_length=12, choices=Attendance.choices, default=Attendance.INVITED)
    attendee_name = models.CharField("who came for the person", max_length=200, blank=True)
    decision = models.CharField(max_length=15, choices=PanelDecision.choices, blank=True)
    conditions = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referred_at", "pk"]

    def __str__(self) -> str:
        return f"Referral of plan {self.plan_id}"


class PanelInvitation(models.Model):
    """The invitation to the panel a person (or their representative) was sent when their plan was
    put on a meeting's agenda: who, for which meeting, with the date, time and place as sent, and
    how and when the panel chair sent it."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(PanelReferral, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    representative = models.ForeignKey(
        "people.Representative", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Blank: the invitation is to the person",
    )  # fmt: skip
    invitee_name = models.CharField(max_length=200)
    meets_on = models.DateField()
    meets_at = models.TimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_how = models.CharField(max_length=10, choices=InvitationSent.choices, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["referral_id", "representative_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "representative"], name="invitation_once_per_representative"
            ),
            models.UniqueConstraint(
                fields=["referral"], condition=models.Q(representative__isnull=True),
                name="invitation_once_per_person",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Invitation to {self.invitee_name} for the panel on {self.meets_on:%-d %B %Y}"


class Appeal(models.Model):
    """An appeal against the panel's decision, heard by someone who did not make it."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="appeals")
    referral = models.ForeignKey(PanelReferral, on_delete=models.PROTECT, related_name="appeals")
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    lodged_at = models.DateTimeField()
    grounds = models.TextField()
    heard_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices, blank=True)
    notes = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lodged_at", "pk"]

    def __str__(self) -> str:
        return f"Appeal on plan {self.plan_id}"


class Review(models.Model):
    """A review of an active plan: 'Have you achieved your objectives?' (seed 001)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=10, choices=ReviewKind.choices, default=ReviewKind.SCHEDULED)
    due_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_level = models.CharField("risk level now", max_length=10, choices=RiskLevel.choices, blank=True)
    money_notes = models.TextField("how the money is being used", blank=True)
    notes = models.TextField(blank=True)
    reassessment_needed = models.BooleanField(default=False)
    new_budget_pence = models.BigIntegerField(null=True, blank=True)
    new_budget_source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Review of {self.plan.person}'s plan, due {format_date(self.due_on)}"


class ReviewOutcome(models.Model):
    """Progress on one of the plan's outcomes at a review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    outcome = models.ForeignKey(PlanOutcome, on_delete=models.CASCADE, related_name="+")
    progress = models.CharField(max_length=12, choices=Progress.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["outcome_id"]
        constraints = [models.UniqueConstraint(fields=["review", "outcome"], name="review_outcome_once")]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.progress}"


class MonitoringVisit(models.Model):
    """A light-touch visit; how many a year follows budget size and last risk level (seed 002)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="visits")
    due_on = models.DateField()
    visited_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Visit about {self.plan.person}'s plan, due {format_date(self.due_on)}"


class Refusal(models.Model):
    """Someone who declined a personal budget, and when to check back (seed 001, Lincolnshire)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="budget_refusals")
    reason = models.CharField(max_length=20, choices=RefusalReason.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_on = models.DateField()
    follow_up_on = models.DateField()
    followed_up_on = models.DateField(null=True, blank=True)
    follow_up_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["follow_up_on", "pk"]

    def __str__(self) -> str:
        return f"{self.person} declined a personal budget"
