"""Forms for writing a plan and governing it. Rules live in services; these parse and label."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Prefetch

from selfdirect.core.forms import GovukDateField, GovukForm, GovukModelForm, PoundsField
from selfdirect.core.money import format_pence
from selfdirect.market.models import RateTable, in_force_on

from . import services
from .constants import (
    Attendance,
    Deployment,
    Frequency,
    Helper,
    InvitationSent,
    LineKind,
    Progress,
    RefusalReason,
    RiskLevel,
)
from .models import FrameworkOutcome, PlanOutcome, SupportPlan
from .policy import PlansPolicy


def market_rows(plan: SupportPlan, model_name: str) -> list[Any]:
    """The plan's authority's entries in a market register (empty when the market app is absent);
    services come with the rate tables in force on the plan's market day, read by market_rate_pence."""
    rows = services.market_register(plan.authority_id, model_name)
    if rows is None:
        return []
    if model_name == "Service":
        tables = RateTable.objects.filter(in_force_on(services.market_day(plan)))
        rows = rows.select_related("provider").prefetch_related(
            Prefetch("rate_tables", queryset=tables, to_attr="rate_tables_in_force")
        )
    return list(rows[:500])


def market_choices(plan: SupportPlan) -> list[Any]:
    """Services, PAs and brokers of the plan's authority, grouped, as "kind:id" values for one
    select, each with the register's rate on the plan's start date when it has one."""

    def label(row: Any) -> str:
        rate = services.market_rate_pence(plan, row)
        return str(row) if rate is None else f"{row}: {format_pence(rate)} per {services.market_unit(row)}"

    groups: list[Any] = [("", "Not from the market register")]
    for name, key, title in [("Service", "market_service", "Provider services"),
                             ("PersonalAssistant", "personal_assistant", "Personal assistants"),
                             ("Broker", "broker", "Brokers and support planners")]:  # fmt: skip
        rows = market_rows(plan, name)
        if rows:
            groups.append((title, [(f"{key}:{r.pk}", label(r)) for r in rows]))
    return groups


class AboutForm(GovukModelForm):
    class Meta:
        model = SupportPlan
        fields = ["what_matters", "helper", "helper_name", "market_broker"]
        widgets = {"what_matters": forms.Textarea(attrs={"rows": 6}), "helper": forms.RadioSelect}
        help_texts = {
            "what_matters": "In the person's own words: the people, places and routines that matter"
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].choices = Helper.choices  # type: ignore[attr-defined]
        self.fields["helper"].required = True
        broker: Any = self.fields["market_broker"]
        brokers = services.market_register(self.instance.authority_id, "Broker") if self.instance.pk else None
        if brokers is not None and brokers.exists():
            broker.queryset = broker.queryset.filter(authority_id=self.instance.authority_id)
            broker.empty_label = "Not a broker from the register"
            broker.label = "Which broker from the market register helped?"
            broker.help_text = "Only if a support planner or broker helped"
        else:
            del self.fields["market_broker"]


class RisksForm(GovukModelForm):
    class Meta:
        model = SupportPlan
        fields = ["risk_want", "risk_buy", "risk_risks", "risk_manage", "risk_level", "contingency"]
        widgets = {
            **{
                f: forms.Textarea(attrs={"rows": 3})
                for f in ["risk_want", "risk_buy", "risk_risks", "risk_manage"]
            },
            "contingency": forms.Textarea(attrs={"rows": 3}),
            "risk_level": forms.RadioSelect,
        }
        labels = {"risk_level": "Overall, how risky is the plan?"}
        help_texts = {
            "contingency": "Needs go up and down: what extra help can be called on, and who pays",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ["risk_want", "risk_buy", "risk_risks", "risk_manage", "contingency"]:
            self.fields[name].required = False  # saved as drafted; submission lists what is missing
        self.fields["risk_level"].choices = RiskLevel.choices  # type: ignore[attr-defined]


class MoneyForm(GovukModelForm):
    indicative_budget = PoundsField(
        label="Indicative budget a year", required=False, zero=True,
        help_text="The figure the plan is written against, in pounds. Leave blank to keep the current one",
    )  # fmt: skip

    class Meta:
        model = SupportPlan
        fields = ["deployment", "deployment_notes"]
        widgets = {"deployment": forms.RadioSelect, "deployment_notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"deployment_notes": "For a mix, say which part each route holds"}

    def __init__(self, *args: Any, may_set_budget: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deployment"].choices = Deployment.choices  # type: ignore[attr-defined]
        self.fields["deployment"].required = True
        if not may_set_budget:
            del self.fields["indicative_budget"]


class DurationForm(GovukForm):
    starts_on = GovukDateField(label="When does the plan start?", help_text="For example, 1 4 2026")
    duration_months = forms.IntegerField(
        label="How many months does it last?", min_value=1, max_value=36, help_text="Usually 12; at most 36"
    )


class OutcomeForm(GovukForm):
    text = forms.CharField(
        label="What do you want to achieve?", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    how_measured = forms.CharField(label="How will you know you have?", max_length=500, required=False)
    framework_outcomes = forms.ModelMultipleChoiceField(
        queryset=FrameworkOutcome.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Which wider outcomes does it link to?", help_text="Staff use these to report on outcome frameworks",
    )  # fmt: skip

    def __init__(
        self, *args: Any, plan: SupportPlan, instance: PlanOutcome | None = None, **kwargs: Any
    ) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {"text": instance.text, "how_measured": instance.how_measured,
                 "framework_outcomes": list(instance.framework_outcomes.values_list("pk", flat=True))},
            )  # fmt: skip
        super().__init__(*args, **kwargs)
        field: Any = self.fields["framework_outcomes"]
        field.queryset = FrameworkOutcome.objects.filter(
            authority=plan.authority, retired=False
        ).select_related("framework")
        field.label_from_instance = lambda o: f"{o.framework.title} — {o.code}: {o.title}"


class LineForm(GovukForm):
    kind = forms.ChoiceField(label="What is it?", choices=LineKind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label="Spending category", choices=[])
    description = forms.CharField(label="What does the money buy?", max_length=300)
    supplier = forms.CharField(label="Who from (provider, PA or shop)", max_length=200, required=False)
    unit = forms.CharField(
        label="Unit", max_length=40, required=False,
        help_text="For example: hour, visit, item. Leave blank to use the market register's unit",
    )  # fmt: skip
    quantity = forms.DecimalField(
        label="How many units", min_value=Decimal("0.01"), max_digits=9, decimal_places=2
    )
    frequency = forms.ChoiceField(label="How often", choices=Frequency.choices, widget=forms.RadioSelect)
    unit_cost = PoundsField(
        label="Cost of one unit", required=False, zero=True,
        help_text="In pounds, for example 11.50. Leave blank to use the market register's rate",
    )  # fmt: skip
    market = forms.ChoiceField(
        label="From the market register", required=False,
        help_text="A provider's service, a personal assistant or a broker: its rate is the cost of one unit unless you enter one",
    )  # fmt: skip
    # The service's field names for what this form asks under other names: its errors go beside
    # the field they are about, not only in the summary.
    service_fields = {**dict.fromkeys(services.MARKET_LINKS, "market"), "unit_cost_pence": "unit_cost"}

    def __init__(self, *args: Any, rules: PlansPolicy, plan: SupportPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = market_choices(plan)
        if len(choices) > 1:
            self.fields["market"].choices = choices  # type: ignore[attr-defined]
            self.order_fields(["kind", "category", "description", "market"])
        else:
            del self.fields["market"]
        self.fields["category"].choices = [("", "Choose a category")] + [  # type: ignore[attr-defined]
            (c.id, c.title + ("" if c.usual else " (outside the usual categories)"))
            for c in rules.spending_categories
        ]
        self.fields["quantity"].widget = forms.TextInput(attrs={"width": "5"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit_cost") is None and not data.get("market") and "unit_cost" not in self.errors:
            self.add_error("unit_cost", "Enter the cost of one unit, or choose from the market register")
        return data

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["unit_cost_pence"] = data.pop("unit_cost")
        market = data.pop("market", "")
        if market:
            key, _, pk = market.partition(":")
            data[key] = int(pk)
        return data


class TransitionForm(GovukForm):
    reason = forms.CharField(label="Why?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    conditions = forms.CharField(
        label="Conditions of approval", widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text="What must happen for the plan to go ahead; it is recorded on the plan",
    )  # fmt: skip
    minutes = forms.CharField(
        label="Minutes of the discussion", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, action: str, default_reason: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.required = not default_reason
        reason.initial = default_reason
        labels = {
            "return": "What needs to change? (this is sent to the person)",
            "refer": "Why are you referring the plan to the panel?",
            "panel_decline": "Why did the panel not approve it?",
            "appeal": "Why do you disagree with the decision?",
            "give_notice": "Why is funding being withdrawn?",
            "end": "Why is the plan ending?",
        }
        reason.label = labels.get(action, "Why? (recorded with your name and the time)")
        if not action.startswith("panel_"):
            del self.fields["minutes"]
        if action == "panel_conditions":
            self.fields["conditions"].required = True
        elif action == "uphold_appeal":
            self.fields["conditions"].label = "Revised conditions, if the appeal was against a condition"
            self.fields["conditions"].help_text = "Leave blank to lift the panel's conditions"
        else:
            del self.fields["conditions"]


class ReviewForm(GovukForm):
    held_on = GovukDateField(label="Date of the review")
    risk_level = forms.ChoiceField(
        label="Risk level now", choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    money_notes = forms.CharField(
        label="How is the money being used?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label="Other notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reassessment_needed = forms.BooleanField(
        label="Needs have changed: a reassessment is needed", required=False
    )
    new_budget = PoundsField(zero=True, label="New indicative budget a year after reassessment", required=False)

    def __init__(self, *args: Any, outcomes: list[PlanOutcome], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_fields: list[tuple[PlanOutcome, str, str]] = []
        for outcome in outcomes:
            p, n = f"progress_{outcome.pk}", f"notes_{outcome.pk}"
            self.fields[p] = forms.ChoiceField(
                label=f"Have you achieved it? “{outcome.text}”",
                choices=Progress.choices,
                widget=forms.RadioSelect,
            )
            self.fields[n] = forms.CharField(label=f"Notes on “{outcome.text}”", required=False,
                                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
            self.outcome_fields.append((outcome, p, n))
        self.order_fields([f for _, p, n in self.outcome_fields for f in (p, n)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_budget") is not None and not data.get("reassessment_needed"):
            self.add_error("new_budget", "Tick that a reassessment is needed to change the budget")
        return data

    def answers(self) -> dict[int, tuple[str, str]]:
        return {o.pk: (self.cleaned_data[p], self.cleaned_data.get(n, "")) for o, p, n in self.outcome_fields}


class VisitScheduleForm(GovukForm):
    due_on = GovukDateField(label="When is the visit due?", help_text="For example, 1 6 2027")
    reason = forms.CharField(
        label="Why is an extra visit needed?", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class VisitRecordForm(GovukForm):
    visited_on = GovukDateField(label="Date of the visit", help_text="For example, 1 6 2027")
    notes = forms.CharField(
        label="What did you find?", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="How the money is being used and whether the support is working",
    )  # fmt: skip


class AttendanceForm(GovukForm):
    attendance = forms.ChoiceField(
        label="Did the person come?", choices=Attendance.choices, widget=forms.RadioSelect
    )
    attendee_name = forms.CharField(label="Who came for them", required=False, max_length=200)


class InvitationSentForm(GovukForm):
    sent_how = forms.ChoiceField(
        label="How was the invitation sent?", choices=InvitationSent.choices, widget=forms.RadioSelect
    )
    sent_on = GovukDateField(label="When was it sent?", help_text="For example, 1 4 2026")


class MinutesForm(GovukForm):
    minutes = forms.CharField(label="Minutes of the meeting", widget=forms.Textarea(attrs={"rows": 6}))


class RefusalForm(GovukForm):
    reason = forms.ChoiceField(
        label="Why did they decline?", choices=RefusalReason.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="What did they say?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(GovukForm):
    follow_up_notes = forms.CharField(
        label="What did they tell you?", widget=forms.Textarea(attrs={"rows": 3})
    )
