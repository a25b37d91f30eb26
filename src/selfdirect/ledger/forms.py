"""Forms for money pages. Amounts are typed in pounds and held as integer pence."""

from __future__ import annotations

from typing import Any

from django import forms

from selfdirect.core import spreadsheet
from selfdirect.core.dates import parse_month
from selfdirect.core.forms import GovukDateField, GovukForm, PoundsField, ReasonMixin


def not_a_formula(label: str) -> Any:
    """A validator refusing text a spreadsheet would run as a formula (payee details go into the
    payment file the bank's spreadsheet opens), naming the field."""

    def validate(value: str) -> None:
        if spreadsheet.formula_like(value):
            raise forms.ValidationError(f"{label} {spreadsheet.FORMULA_MESSAGE}")

    return validate


class AgreeForm(ReasonMixin):
    approved_by = forms.CharField(
        label="What approved this budget?", max_length=300,
        help_text="For example: support plan signed off by the care co-ordinator on 3 April",
    )  # fmt: skip


class RunForm(GovukForm):
    period = forms.CharField(label="Month to pay", max_length=20, help_text="For example, May 2026")

    def __init__(self, *args: Any, months: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        """With ``months`` (each month's key and name: the months still open) the month is chosen from
        them; a month typed as people write it ("May 2026") or as files key it ("2026-05") is still
        taken, so a post from an older page or a script keeps working."""
        super().__init__(*args, **kwargs)
        if months:
            field = self.fields["period"]
            field.widget = forms.RadioSelect(choices=months)
            field.help_text = "The months not closed yet."
            field.error_messages["required"] = "Select the month to pay"

    def clean_period(self) -> str:
        """The month as the services key it ("2026-05"), however it was typed."""
        try:
            return f"{parse_month(self.cleaned_data['period']):%Y-%m}"
        except ValueError:
            raise forms.ValidationError("Enter a month like May 2026") from None


class CloseForm(ReasonMixin):
    pass


class SpendForm(GovukForm):
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
        confirm: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(categories.items())  # type: ignore[attr-defined]
        if confirm:
            self.fields["confirm_overspend"] = OVERSPEND_CONFIRMATION()
        if plan_lines:
            self.fields["plan_line"].choices = [("", "Match it for me"), *plan_lines]  # type: ignore[attr-defined]
        else:
            del self.fields["plan_line"]


def OVERSPEND_CONFIRMATION() -> forms.BooleanField:  # noqa: N802 - a field made fresh for each form
    """Shown once spending has been found to take the budget below what it holds."""
    return forms.BooleanField(
        label="The amount is right: record it, and tell finance it takes the budget below what it holds",
        required=False,
    )


class UploadForm(GovukForm):
    file = forms.FileField(
        label="Bank statement (CSV)", help_text="Columns: date, description, amount, category. Nothing is saved "
        "unless every line is correct.",
    )  # fmt: skip

    def __init__(self, *args: Any, confirm: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if confirm:
            self.fields["confirm_overspend"] = OVERSPEND_CONFIRMATION()


class ReassessForm(GovukForm):
    on = GovukDateField(
        label="Date the new budget starts",
        help_text="The current budget ends the day before. Instalments already paid stand: if this "
        "date falls inside one, the change starts the day after it.",
    )
    agreed = PoundsField(label="New agreed budget, in pounds a year", max_length=20, zero=True)
    indicative = PoundsField(
        label="Indicative budget from the new allocation, in pounds a year", max_length=20, required=False,
        zero=True,
    )  # fmt: skip
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
    weekly = PoundsField(label="Assessed weekly contribution, in pounds", max_length=20, zero=True)
    starts_on = GovukDateField(label="Date the contribution starts")
    mode = forms.ChoiceField(
        label="How is it collected?", required=False,
        choices=[("", "As the policy says"), ("net", "Net: taken off each payment"), ("gross", "Gross: invoiced")],
    )  # fmt: skip


class ReceiptForm(ReasonMixin):
    amount = PoundsField(label="Amount received, in pounds", max_length=20)
    on = GovukDateField(label="Date received")


class DisputeForm(GovukForm):
    about = forms.ChoiceField(label="What is it about?")
    subject = forms.CharField(
        label="What do you disagree with?", widget=forms.Textarea(attrs={"rows": 3}), max_length=300
    )
    amount = PoundsField(label="Amount in dispute, in pounds", max_length=20, required=False, zero=True)

    def __init__(self, *args: Any, about: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = about  # type: ignore[attr-defined]


class DecideForm(GovukForm):
    status = forms.ChoiceField(
        label="Outcome", widget=forms.RadioSelect,
        choices=[("upheld", "Upheld"), ("rejected", "Rejected"), ("settled", "Settled")],
    )  # fmt: skip
    outcome = forms.CharField(
        label="What was decided, and why", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class InvoiceForm(GovukForm):
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


ROUTE_HINTS = {
    "direct_payment": "Paid to the person, or a suitable person, to arrange their own support.",
    "council_managed": "The council holds the money and pays providers for the person.",
    "third_party": "An agency holds the money for the person and charges a fee for managing it.",
    "isf": "A provider holds the money, paid in advance, and spends it as the plan says.",
    "virtual": "The person chooses from preferred providers and the council contracts with them.",
}
HELD_BY = {"isf": "the provider holding the ISF", "third_party": "the managing agency"}


class DraftBudgetForm(GovukForm):
    """Finance drafts a budget: the figure, how often it is paid, from when, and how it is held.
    Any mix of routes ("mix and match", seed 001) with percentage shares adding up to 100."""

    person = forms.CharField(
        label="Person's reference", max_length=40, help_text="As on their record, for example NO000123"
    )
    stream = forms.CharField(label="Funding stream", max_length=60)
    period_start = GovukDateField(label="Budget period starts", help_text="Usually 1 April")
    period_end = GovukDateField(label="Budget period ends", help_text="Usually 31 March")
    starts_on = GovukDateField(
        label="Start date",
        help_text="The move-in or start date. Payments run from here to the end of the period with no gap.",
    )
    agreed = PoundsField(label="Agreed budget, in pounds a year", max_length=20, zero=True)
    indicative = PoundsField(
        label="Indicative budget from the allocation, in pounds a year", max_length=20, required=False, zero=True,
        help_text="The indicative figure is not the final one. If the agreed budget differs, say why below.",
    )  # fmt: skip
    difference_reasons = forms.CharField(
        label="If the agreed budget differs from the indicative one, why?", required=False,
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text="The person sees this beside both figures.",
    )  # fmt: skip
    midpoint_low = PoundsField(
        label="If needs go up and down: pounds a year when things are settled", max_length=20, required=False,
        zero=True, help_text="Give both figures for a mid-point budget: the agreed budget is then set between them, "
        "as the money rules say.",
    )  # fmt: skip
    midpoint_high = PoundsField(
        label="If needs go up and down: pounds a year when needs are higher",
        max_length=20,
        required=False,
        zero=True,
    )
    frequency = forms.ChoiceField(label="How often is it paid?", widget=forms.RadioSelect)
    plan_cost = PoundsField(
        label="Support plan's cost, in pounds a year", max_length=20, required=False, zero=True
    )
    source = forms.CharField(
        label="How was the figure worked out?", max_length=300, required=False,
        help_text="For example: allocation of 2 April and the support plan's costs",
    )  # fmt: skip
    reason = forms.CharField(
        label="Why are you drafting this budget?", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text="This goes in the record's history, with your name and the time.",
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        routes: list[tuple[str, str]],
        frequencies: list[tuple[str, str]],
        streams: list[tuple[str, str]] | None = None,
        person_fixed: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.routes = routes
        if person_fixed:
            del self.fields["person"]
        if streams:
            self.fields["stream"] = forms.ChoiceField(label="Funding stream", choices=streams)
        self.fields["frequency"].choices = frequencies  # type: ignore[attr-defined]
        for code, label in routes:
            self.fields[f"share_{code}"] = forms.IntegerField(
                label=f"{label}: share of each payment, in per cent", required=False, min_value=1, max_value=100,
                help_text="Leave empty if the budget is not held this way.",
                error_messages={"invalid": "Enter a whole number of per cent, like 90"},
            )  # fmt: skip
            who = HELD_BY.get(code, "who is paid")
            self.fields[f"payee_{code}"] = forms.CharField(
                label=f"{label}: name of {who}", max_length=200, required=False,
                help_text="" if code in HELD_BY else "Leave empty to pay the person.",
                validators=[not_a_formula(f"{label}: the name of {who}")],
            )  # fmt: skip
            self.fields[f"account_{code}"] = forms.CharField(
                label=f"{label}: account or provider reference", max_length=60, required=False,
                validators=[not_a_formula(f"{label}: the account or provider reference")],
            )  # fmt: skip
            if code == "third_party":
                self.fields["fee_third_party"] = forms.DecimalField(
                    label=f"{label}: manager's fee, in per cent of each payment", required=False, min_value=0,
                    max_value=100, decimal_places=2, max_digits=5,
                    error_messages={"invalid": "Enter the fee as a number of per cent, like 4.5"},
                )  # fmt: skip

    def _route_field(self, name: str) -> bool:
        return name.split("_", 1)[0] in {"share", "payee", "account", "fee"}

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not self._route_field(name) and name != "reason"]

    def route_groups(self) -> list[dict[str, Any]]:
        groups = []
        for code, label in self.routes:
            names = [f"share_{code}", f"payee_{code}", f"account_{code}"]
            if code == "third_party":
                names.append("fee_third_party")
            groups.append(
                {"label": label, "hint": ROUTE_HINTS.get(code, ""), "fields": [self[n] for n in names]}
            )
        return groups

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rows = []
        for code, label in self.routes:
            share = data.get(f"share_{code}")
            payee = (data.get(f"payee_{code}") or "").strip()
            account = (data.get(f"account_{code}") or "").strip()
            fee = data.get("fee_third_party") if code == "third_party" else None
            if share is None:
                for name, given in [
                    (f"payee_{code}", payee),
                    (f"account_{code}", account),
                    ("fee_third_party", fee),
                ]:
                    if given and name in self.fields:
                        self.add_error(name, f"Give {label.lower()} a share, or leave this empty")
                continue
            if code in HELD_BY and not payee:
                self.add_error(f"payee_{code}", f"Enter the name of {HELD_BY[code]}")
            row: dict[str, Any] = {
                "route": code,
                "share": share,
                "payee_name": payee,
                "payee_account": account,
            }
            if fee:
                row["fee_percent"] = fee
            rows.append(row)
        first = f"share_{self.routes[0][0]}" if self.routes else None
        if not rows and first and not self.has_error(first):
            self.add_error(first, "Say how the budget is held: give at least one route a share")
        elif rows and sum(r["share"] for r in rows) != 100:
            self.add_error(
                f"share_{rows[0]['route']}",
                f"The shares add up to {sum(r['share'] for r in rows)}%: they must add up to 100%",
            )
        data["deployments"] = rows
        return data


class ClawbackReceiptForm(GovukForm):
    amount = PoundsField(label="Amount received back, in pounds", max_length=20)
    on = GovukDateField(label="Date received")
    reason = forms.CharField(
        label="What was received, and from whom?", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
        help_text="For example: cheque from the person's son for the April claw-back. This goes in the history.",
    )  # fmt: skip
