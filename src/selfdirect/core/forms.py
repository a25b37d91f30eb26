"""Form pieces that follow the GOV.UK Design System: a three-part date input, and a reason field
for every audited change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms

from .errors import ServiceError


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the GOV.UK date input pattern asks."""

    template_name = "core/widgets/date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets = [
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-4",
                }
            ),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (
            forms.IntegerField(min_value=1, max_value=31),
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1900, max_value=2100),
        )
        kwargs.setdefault("error_messages", {"incomplete": "Enter a full date: day, month and year"})
        super().__init__(fields, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> Any:
        # Whole-field messages read better than three separate "enter a whole number" ones.
        if isinstance(value, list | tuple):
            parts = ["" if v is None else str(v).strip() for v in value]  # None: the boxes were not sent
            if not any(parts):
                if self.required:
                    raise forms.ValidationError(self.error_messages["required"], code="required")
                return None
            if not all(parts):
                raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
            if not all(p.isdigit() for p in parts):
                raise forms.ValidationError("Date must be numbers: day, month and year", code="invalid")
        return super().clean(value)

    def compress(self, data_list: list[Any]) -> dt.date | None:
        if not data_list or any(v in (None, "") for v in data_list):
            return None
        day, month, year = data_list
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError("Date must be a real date", code="invalid") from None


REASON_MAX_LENGTH = 1000
"""The longest reason an audited change keeps, on the pages and in the API alike."""


class ReasonMixin(forms.Form):
    reason = forms.CharField(
        label="Why are you making this change?",
        help_text="This goes in the record's history, with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_LENGTH,
    )


def apply_service_errors(form: Any, exc: ServiceError, names: Mapping[str, str] | None = None) -> None:
    """Put a service's errors on the form: each beside its field (``names`` maps a service's name
    for a field to the form's, e.g. ``agreed_annual_pence`` to ``agreed``), the rest at the top."""
    for key, errors in exc.errors.items():
        name = (names or {}).get(key, key)
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
