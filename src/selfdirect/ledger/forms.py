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

    def __init__(self, *args: Any, categories: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(categories.items())  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Bank statement (CSV)", help_text="Columns: date, description, amount, category. Nothing is saved "
        "unless every line is correct.",
    )  # fmt: skip
