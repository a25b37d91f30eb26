"""Form pieces that follow the GOV.UK Design System: a three-part date input, and a reason field
for every audited change."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core import validators

from .errors import ServiceError
from .money import format_pence, parse_pounds


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


class PoundsField(forms.CharField):
    """An amount typed in pounds ("1,260.50", "£45"), held as integer pence: more than £0, or with
    ``zero`` £0 or more. Left blank when not ``required``, it is None. The box shows a £ before it
    (the GOV.UK prefix), so the label need not say "in pounds"."""

    def __init__(self, *args: Any, zero: bool = False, **kwargs: Any) -> None:
        self.zero = zero
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("width", "10")
        self.widget.attrs["prefix"] = "£"

    def prepare_value(self, value: Any) -> Any:
        """Pence kept on a record, shown in the box as pounds to edit: 1550 -> "15.50"."""
        if isinstance(value, int) and not isinstance(value, bool):
            return format_pence(value, symbol=False, grouping=False)
        return value

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            pence = parse_pounds(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Enter an amount in pounds, like 45.50 ({exc})") from None
        if self.zero and pence < 0:
            raise forms.ValidationError("Enter an amount of £0 or more")
        if not self.zero and pence <= 0:
            raise forms.ValidationError("Enter an amount more than £0")
        return pence


REASON_MAX_LENGTH = 1000
"""The longest reason an audited change keeps, on the pages and in the API alike."""


class GovukMessages:
    """Error messages written for the field, GOV.UK style, in place of Django's defaults ("This
    field is required.", "Select a valid choice. x is not one of the available choices."): "Enter
    the date of the visit", "Select how often it is paid". A message a form or field sets itself
    is kept."""

    @staticmethod
    @functools.cache
    def defaults() -> frozenset[tuple[str, str]]:
        """Django's own messages, as (code, text): read once the translations are ready."""
        fields = (forms.Field(), forms.ChoiceField(), forms.MultipleChoiceField(), forms.IntegerField(),
                  forms.DecimalField(), forms.FloatField(), forms.FileField())  # fmt: skip
        limits = [validators.MinValueValidator(0), validators.MaxValueValidator(0), validators.MaxLengthValidator(0)]
        return frozenset(
            [(code, str(message)) for field in fields for code, message in field.error_messages.items()]
            + [(str(v.code), str(v.message)) for v in limits]
        )

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name, errors in list(self._errors.items()):  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                continue
            plain = [self._plain(field, error) for error in errors.as_data()]
            self._errors[name] = self.error_class(plain, renderer=self.renderer)  # type: ignore[attr-defined]

    @classmethod
    def _plain(cls, field: forms.Field, error: forms.ValidationError) -> forms.ValidationError:
        code = error.code or ""
        if (code, str(error.message)) not in cls.defaults():
            return error  # the form's or the field's own words
        label = str(field.label or "this").rstrip(":").strip()
        question = label.endswith("?")  # "How often is it paid?" reads badly after "Select"
        what = label if label[:2].isupper() else label[0].lower() + label[1:]  # "NHS number" stays
        limit = (error.params or {}).get("limit_value")
        choosing = isinstance(field, forms.ChoiceField | forms.BooleanField)
        if isinstance(field, forms.FileField) and code in ("required", "missing", "invalid"):
            text = f"Select {what.removeprefix('upload ')}"  # "Upload a CSV file": "Select a CSV file"
        elif isinstance(field, forms.FileField) and code == "empty":
            text = "The file you chose is empty"
        elif code == "required" and question:
            text = "Select an answer" if choosing else "Answer this question"
        elif code == "required":
            text = f"{'Select' if choosing else 'Enter'} {what}"
        elif code == "invalid_choice":
            text = "Select one of the answers given" if question else f"Select {what} from the list"  # noqa: S608
        elif code == "invalid" and isinstance(field, forms.IntegerField):
            text = f"{label} must be a whole number"
        elif code == "invalid":
            text = f"{label} must be a number"
        elif code == "max_value":
            text = f"{label} must be {limit} or less"
        elif code == "min_value":
            text = f"{label} must be {limit} or more"
        elif code == "max_length":
            text = f"{label} must be {limit} characters or fewer"
        else:
            return error
        return forms.ValidationError(text, code=code)


class GovukForm(GovukMessages, forms.Form):
    pass


class GovukModelForm(GovukMessages, forms.ModelForm):
    pass


class ReasonMixin(GovukForm):
    reason = forms.CharField(
        label="Why are you making this change?",
        help_text="This goes in the record's history, with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": "Say why you are making this change"},
    )


def apply_service_errors(form: Any, exc: ServiceError, names: Mapping[str, str] | None = None) -> None:
    """Put a service's errors on the form: each beside its field (``names`` maps a service's name
    for a field to the form's, e.g. ``agreed_annual_pence`` to ``agreed``), the rest at the top."""
    for key, errors in exc.errors.items():
        name = (names or {}).get(key, key)
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


class LogoForm(ReasonMixin):
    logo = forms.FileField(
        label="Upload the logo", help_text="A PNG or JPEG image, smaller than 512 KB. It is shown 40 pixels high.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["logo", "reason"])
