"""Forms for writing a plan and governing it. Rules live in services; these parse and label."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from selfdirect.core.forms import GovukDateField
from selfdirect.core.money import parse_pounds

from .constants import Attendance, Deployment, Frequency, Helper, LineKind, Progress, RefusalReason, RiskLevel
from .models import FrameworkOutcome, PlanOutcome, SupportPlan
from .policy import PlansPolicy


class PoundsField(forms.CharField):
    """Money typed in pounds ('£1,260.50'), cleaned to integer pence."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "In pounds, for example 11.50")
        super().__init__(**kwargs)
        self.widget.attrs["width"] = "10"

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            pence = parse_pounds(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc).replace("'", "")) from None
        if pence < 0:
            raise forms.ValidationError("Enter an amount of 0 or more")
        return pence


class AboutForm(forms.ModelForm):
    class Meta:
        model = SupportPlan
        fields = ["what_matters", "helper", "helper_name"]
        widgets = {"what_matters": forms.Textarea(attrs={"rows": 6}), "helper": forms.RadioSelect}
        help_texts = {
            "what_matters": "In the person's own words: the people, places and routines that matter"
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].choices = Helper.choices  # type: ignore[attr-defined]
        self.fields["helper"].required = True


class RisksForm(forms.ModelForm):
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
            "contingency": "Needs go up and down (seed 004 Q5): what extra help can be called on, and who pays",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ["risk_want", "risk_buy", "risk_risks", "risk_manage", "contingency"]:
            self.fields[name].required = False  # saved as drafted; submission lists what is missing
        self.fields["risk_level"].choices = RiskLevel.choices  # type: ignore[attr-defined]


class MoneyForm(forms.ModelForm):
    indicative_budget = PoundsField(
        label="Indicative budget a year", required=False,
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


class DurationForm(forms.Form):
    starts_on = GovukDateField(label="When does the plan start?", help_text="For example, 1 4 2026")
    duration_months = forms.IntegerField(
        label="How many months does it last?", min_value=1, max_value=36, help_text="Usually 12; at most 36"
    )


class OutcomeForm(forms.Form):
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


class LineForm(forms.Form):
    kind = forms.ChoiceField(label="What is it?", choices=LineKind.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(label="Spending category", choices=[])
    description = forms.CharField(label="What does the money buy?", max_length=300)
    supplier = forms.CharField(label="Who from (provider, PA or shop)", max_length=200, required=False)
    unit = forms.CharField(label="Unit", max_length=40, help_text="For example: hour, visit, item")
    quantity = forms.DecimalField(
        label="How many units", min_value=Decimal("0.01"), max_digits=9, decimal_places=2
    )
    frequency = forms.ChoiceField(label="How often", choices=Frequency.choices, widget=forms.RadioSelect)
    unit_cost = PoundsField(label="Cost of one unit")

    def __init__(self, *args: Any, rules: PlansPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choose a category")] + [  # type: ignore[attr-defined]
            (c.id, c.title + ("" if c.usual else " (outside the usual categories)"))
            for c in rules.spending_categories
        ]
        self.fields["quantity"].widget = forms.TextInput(attrs={"width": "5"})

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["unit_cost_pence"] = data.pop("unit_cost")
        return data


class TransitionForm(forms.Form):
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
        if action != "panel_conditions":
            del self.fields["conditions"]
        else:
            self.fields["conditions"].required = True


class ReviewForm(forms.Form):
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
    new_budget = PoundsField(label="New indicative budget a year after reassessment", required=False)

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


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        label="Did the person come?", choices=Attendance.choices, widget=forms.RadioSelect
    )
    attendee_name = forms.CharField(label="Who came for them", required=False, max_length=200)


class MinutesForm(forms.Form):
    minutes = forms.CharField(label="Minutes of the meeting", widget=forms.Textarea(attrs={"rows": 6}))


class RefusalForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why did they decline?", choices=RefusalReason.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label="What did they say?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(forms.Form):
    follow_up_notes = forms.CharField(
        label="What did they tell you?", widget=forms.Textarea(attrs={"rows": 3})
    )
