"""Forms for money pages. Amounts are typed in pounds and held as integer pence."""

from __future__ import annotations

from typing import Any

from django import forms

from selfdirect.core.forms import GovukDateField, ReasonMixin
from selfdirect.core.money import parse_pounds


class PoundsField(forms.CharField):
    def clean(self, value: Any) -> int:
        text = super().clean(value)
        try:
            pence = parse_pounds(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Enter an amount in pounds, like 45.50 ({exc})") from None
        if pence <= 0:
            raise forms.ValidationError("Enter an amount more than £0")
        return pence


class AgreeForm(ReasonMixin):
    approved_by = forms.CharField(
        label="What approved this budget?", max_length=300,
        help_text="For example: support plan signed off by the care co-ordinator on 3 April",
    )  # fmt: skip


class RunForm(forms.Form):
    period = forms.RegexField(
        label="Month to pay", regex=r"^\d{4}-(0[1-9]|1[0-2])$", help_text="For example, 2026-05",
        error_messages={"invalid": "Enter a month like 2026-05"},
    )  # fmt: skip


class CloseForm(ReasonMixin):
    pass


class SpendForm(forms.Form):
    on = GovukDateField(label="Date of the purchase")
    category = forms.ChoiceField(label="What was it for?")
    description = forms.CharField(label="Description", max_length=200)
    amount = PoundsField(label="Amount in pounds", max_length=20)

    plan_line = forms.TypedChoiceField(
        label="Which part of your support plan is it for?", required=False, coerce=int, empty_value=None,
        help_text="Leave it and we match it by who was paid or what it was for.",
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        categories: dict[str, str],
        plan_lines: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(categories.items())  # type: ignore[attr-defined]
        if plan_lines:
            self.fields["plan_line"].choices = [("", "Match it for me"), *plan_lines]  # type: ignore[attr-defined]
        else:
            del self.fields["plan_line"]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Bank statement (CSV)", help_text="Columns: date, description, amount, category. Nothing is saved "
        "unless every line is correct.",
    )  # fmt: skip


class OptionalPoundsField(forms.CharField):
    """Pounds, zero allowed; blank is None (for an optional or possibly nil figure)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            if self.required:
                raise forms.ValidationError("Enter an amount in pounds, like 45.50")
            return None
        try:
            pence = parse_pounds(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Enter an amount in pounds, like 45.50 ({exc})") from None
        if pence < 0:
            raise forms.ValidationError("Enter an amount of £0 or more")
        return pence


class ReassessForm(forms.Form):
    on = GovukDateField(
        label="Date the new budget starts",
        help_text="The current budget ends the day before. Instalments already paid stand: if this "
        "date falls inside one, the change starts the day after it.",
    )
    agreed = OptionalPoundsField(label="New agreed budget, in pounds a year", max_length=20, required=True)
    indicative = OptionalPoundsField(
        label="Indicative budget from the new allocation, in pounds a year", max_length=20
    )
    difference_reasons = forms.CharField(
        label="If the agreed budget differs from the indicative one, why?", required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        help_text="The person sees this beside both figures.",
    )  # fmt: skip
    approved_by = forms.CharField(
        label="What approved the new budget?", max_length=300,
        help_text="For example: reassessment of 14 June and the support plan approved on 20 June",
    )  # fmt: skip
    reason = forms.CharField(
        label="Why does the budget change?", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text="Budgets change at reassessment, not with short-term ups and downs. The person sees this.",
    )  # fmt: skip


class ChargeForm(ReasonMixin):
    weekly = OptionalPoundsField(
        label="Assessed weekly contribution, in pounds", max_length=20, required=True
    )
    starts_on = GovukDateField(label="Date the contribution starts")
    mode = forms.ChoiceField(
        label="How is it collected?", required=False,
        choices=[("", "As the policy says"), ("net", "Net: taken off each payment"), ("gross", "Gross: invoiced")],
    )  # fmt: skip


class ReceiptForm(ReasonMixin):
    amount = PoundsField(label="Amount received, in pounds", max_length=20)
    on = GovukDateField(label="Date received")


class DisputeForm(forms.Form):
    about = forms.ChoiceField(label="What is it about?")
    subject = forms.CharField(
        label="What do you disagree with?", widget=forms.Textarea(attrs={"rows": 3}), max_length=300
    )
    amount = OptionalPoundsField(label="Amount in dispute, in pounds", max_length=20)

    def __init__(self, *args: Any, about: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = about  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    status = forms.ChoiceField(
        label="Outcome", widget=forms.RadioSelect,
        choices=[("upheld", "Upheld"), ("rejected", "Rejected"), ("settled", "Settled")],
    )  # fmt: skip
    outcome = forms.CharField(
        label="What was decided, and why", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class InvoiceForm(forms.Form):
    on = GovukDateField(label="Date of the invoice")
    route = forms.ChoiceField(label="Paid from")
    payee = forms.CharField(label="Provider", max_length=200)
    category = forms.ChoiceField(label="What was it for?")
    description = forms.CharField(label="Description", max_length=200)
    amount = PoundsField(label="Amount in pounds", max_length=20)

    def __init__(
        self, *args: Any, categories: dict[str, str], routes: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(categories.items())  # type: ignore[attr-defined]
        self.fields["route"].choices = routes  # type: ignore[attr-defined]
