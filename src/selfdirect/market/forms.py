"""Forms for the market. Amounts are typed in pounds and kept as pence; every change asks why."""

from __future__ import annotations

from typing import Any

from django import forms

from selfdirect.core.constants import Role
from selfdirect.core.forms import GovukDateField, GovukForm, PoundsField, ReasonMixin
from selfdirect.core.models import Authority, User

from .constants import SupportType
from .directory import PLANNING, PLANNING_LABEL
from .models import (
    Area,
    Arrangement,
    Broker,
    Contract,
    ContractUsage,
    EmployerDuty,
    MarketSettings,
    PACheck,
    PAEmployment,
    PersonalAssistant,
    Provider,
    ProviderList,
    ProviderListEntry,
    QualityAssessment,
    RateTable,
    Service,
    SpotCheck,
    StarRating,
    split_codes,
)


class MarketForm(forms.ModelForm, ReasonMixin):
    """A model form whose cleaned data a service applies (the form never saves)."""

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority
        for field in self.fields.values():
            if isinstance(field, forms.ModelMultipleChoiceField | forms.ModelChoiceField):
                queryset = field.queryset
                if queryset is not None and any(f.name == "authority" for f in queryset.model._meta.fields):
                    field.queryset = queryset.filter(authority=authority)
            if isinstance(field, forms.ModelMultipleChoiceField):
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)  # type: ignore[arg-type]
                field.help_text = ""
        if "support_types" in self.fields and self.instance.pk:
            self.initial["support_types"] = split_codes(self.instance.support_types)
        if self.instance.pk is None:
            self.fields["reason"].initial = "New record"

    def _post_clean(self) -> None:
        # Checks on the whole record happen in the service, against a fresh copy of it.
        pass

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


def _support_field(label: str = "Kinds of support") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=SupportType.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class SettingsForm(MarketForm):
    class Meta:
        model = MarketSettings
        fields = ["family_pas_allowed", "family_pa_refusal", "accredits_pas", "retender_notice_months"]


class AreaForm(ReasonMixin):
    name = forms.CharField(max_length=100, label="Area name")


class ProviderForm(MarketForm):
    support_types = _support_field()
    website = forms.URLField(assume_scheme="https", required=False, max_length=200)

    class Meta:
        model = Provider
        fields = [
            "name", "kind", "cqc_number", "companies_house_number", "charity_number", "support_types", "areas",
            "description", "phone", "email", "website", "address", "listed",
        ]  # fmt: skip
        widgets = {"kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}


class ProviderProfileForm(ProviderForm):
    """What a provider user may change about their own organisation (not whether it is listed)."""

    class Meta(ProviderForm.Meta):
        fields = [f for f in ProviderForm.Meta.fields if f not in {"name", "listed"}]


class MemberForm(ReasonMixin):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Provider user")

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__authority=authority, memberships__role=Role.PROVIDER
        ).distinct()


class ServiceForm(MarketForm):
    class Meta:
        model = Service
        fields = ["name", "support_type", "unit", "description", "listed"]
        widgets = {"unit": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}


class RateTableForm(MarketForm):
    starts_on = GovukDateField(label="Rates apply from")
    ends_on = GovukDateField(
        label="Until", required=False, help_text="Leave blank while the rates still apply"
    )
    standard_pence = PoundsField(label="Standard rate", zero=True)
    evening_pence = PoundsField(label="Evening rate", required=False, zero=True)
    night_pence = PoundsField(label="Night rate", required=False, zero=True)
    weekend_pence = PoundsField(label="Weekend rate", required=False, zero=True)
    bank_holiday_pence = PoundsField(label="Bank holiday rate", required=False, zero=True)

    class Meta:
        model = RateTable
        fields = [
            "starts_on", "ends_on", "standard_pence", "evening_pence", "night_pence", "weekend_pence",
            "bank_holiday_pence", "evening_from", "evening_until", "night_from", "night_until", "weekend_days",
            "precedence", "policy_note",
        ]  # fmt: skip


class RatingForm(MarketForm):
    rated_on = GovukDateField(label="Rated on")

    class Meta:
        model = StarRating
        fields = ["stars", "rated_on", "basis", "published"]


class QualityForm(MarketForm):
    assessed_on = GovukDateField(label="Assessed on")

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = provider.services.all()  # type: ignore[attr-defined]

    class Meta:
        model = QualityAssessment
        fields = ["service", "assessed_on", "level", "summary"]
        widgets = {"level": forms.RadioSelect}


class SpotCheckForm(MarketForm):
    checked_on = GovukDateField(label="Checked on")
    follow_up_by = GovukDateField(label="Follow up by", required=False)

    class Meta:
        model = SpotCheck
        fields = ["checked_on", "checked_by", "outcome", "notes", "follow_up_by"]
        widgets = {"outcome": forms.RadioSelect}


class PAForm(MarketForm):
    support_types = _support_field("What they offer")
    hourly_rate_pence = PoundsField(label="Hourly rate", required=False, zero=True)
    consent_recorded_on = GovukDateField(label="Consent to be listed given on", required=False)

    class Meta:
        model = PersonalAssistant
        fields = [
            "name", "support_types", "offer", "areas", "availability", "hourly_rate_pence", "phone", "email",
            "consents_to_listing", "consent_recorded_on", "accredited", "listed",
        ]  # fmt: skip
        widgets = {"offer": forms.Textarea(attrs={"rows": 3})}


class PACheckForm(MarketForm):
    issued_on = GovukDateField(label="Issued or done on")
    expires_on = GovukDateField(label="Expires on", required=False)

    class Meta:
        model = PACheck
        fields = ["kind", "title", "reference", "issued_on", "expires_on"]
        widgets = {"kind": forms.RadioSelect}


class BrokerForm(MarketForm):
    fee_pence = PoundsField(label="Fee (£)")

    class Meta:
        model = Broker
        fields = [
            "name", "organisation", "kind", "profile", "areas", "fee_pence", "fee_basis", "payable_from_budget",
            "independent", "phone", "email", "listed",
        ]  # fmt: skip
        widgets = {
            "kind": forms.RadioSelect,
            "fee_basis": forms.RadioSelect,
            "profile": forms.Textarea(attrs={"rows": 4}),
        }


class ListForm(MarketForm):
    starts_on = GovukDateField(label="In force from")
    ends_on = GovukDateField(label="Until", required=False)

    class Meta:
        model = ProviderList
        fields = ["name", "kind", "starts_on", "ends_on", "description"]
        widgets = {"kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}


class ListEntryForm(MarketForm):
    fixed_price_pence = PoundsField(label="Fixed price per unit (£)")

    class Meta:
        model = ProviderListEntry
        fields = ["service", "fixed_price_pence"]


class ContractForm(MarketForm):
    starts_on = GovukDateField(label="Starts on")
    ends_on = GovukDateField(label="Ends on")
    review_on = GovukDateField(
        label="Annual review date",
        required=False,
        help_text="Leave blank for the first anniversary of the start",
    )
    unit_price_pence = PoundsField(label="Price per unit (£)")
    lump_sum_pence = PoundsField(label="Lump sum per period (£)", required=False)

    class Meta:
        model = Contract
        fields = [
            "reference", "title", "provider", "service", "kind", "block_basis", "extra_care", "starts_on", "ends_on",
            "review_on", "period", "volume", "unit_price_pence", "lump_sum_pence", "posts", "double_funding",
            "units_set_aside", "notes",
        ]  # fmt: skip
        widgets = {
            "kind": forms.RadioSelect,
            "double_funding": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def data_for_service(self) -> dict[str, Any]:
        data = super().data_for_service()
        data["lump_sum_pence"] = data.get("lump_sum_pence") or 0
        return data


class UsageForm(MarketForm):
    period_start = GovukDateField(label="Period from")
    period_end = GovukDateField(label="Period to")

    class Meta:
        model = ContractUsage
        fields = ["period_start", "period_end", "units_used", "budget_units", "notes"]


class ArrangementForm(MarketForm):
    starts_on = GovukDateField(label="Starts on")
    ends_on = GovukDateField(label="Ends on", required=False)

    class Meta:
        model = Arrangement
        fields = ["service", "funding", "contract", "units_per_week", "starts_on", "ends_on"]
        widgets = {"funding": forms.RadioSelect}


class TransferForm(ReasonMixin):
    transfer_on = GovukDateField(
        label="Personal budget pays from", help_text="The block contract pays up to the day before"
    )


class EmploymentForm(MarketForm):
    starts_on = GovukDateField(label="Employed from")
    ends_on = GovukDateField(label="Until", required=False)

    class Meta:
        model = PAEmployment
        fields = ["personal_assistant", "pa_name", "family_member", "relationship", "starts_on", "ends_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pa_name"].required = False
        self.fields["pa_name"].help_text = "Needed if the PA is not on the register"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("personal_assistant") and not data.get("pa_name"):
            self.add_error("pa_name", "Enter the PA's name, or choose them from the register")
        return data


class DutyForm(MarketForm):
    due_on = GovukDateField(label="Due by", required=False)

    class Meta:
        model = EmployerDuty
        fields = ["status", "due_on", "notes"]
        widgets = {"status": forms.RadioSelect}


class DirectoryForm(GovukForm):
    """The public directory's filters (GET)."""

    council = forms.ChoiceField(label="Council", required=False)
    area = forms.ModelChoiceField(
        queryset=Area.objects.none(), label="Area", required=False, empty_label="Any area"
    )
    support_type = forms.ChoiceField(
        label="Type of support",
        choices=[("", "Any type of support"), *SupportType.choices, (PLANNING, PLANNING_LABEL)],
        required=False,
    )
    min_stars = forms.ChoiceField(
        label="Rating",
        choices=[("", "Any rating"), ("3", "3 stars or more"), ("4", "4 stars or more"), ("5", "5 stars")],
        required=False,
    )
    show = forms.ChoiceField(
        label="Show",
        choices=[
            ("", "Everyone"),
            ("providers", "Providers"),
            ("pas", "Personal assistants"),
            ("brokers", "Brokers and support planners"),
        ],
        required=False,
    )

    def __init__(
        self, *args: Any, authorities: list[Authority], authority: Authority | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = [(a.slug, a.name) for a in authorities]  # type: ignore[attr-defined]
        if authority is not None:
            self.fields["area"].queryset = Area.objects.filter(authority=authority)  # type: ignore[attr-defined]


class ProvidersImportForm(ReasonMixin):
    """Step one of the providers-and-rates import: the file to check."""

    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Saved from a spreadsheet as CSV UTF-8, at most 256 KB (about 1,200 rows). The first line must name the columns.",
        error_messages={"required": "Choose a CSV file to upload", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["file", "reason"])
        self.fields["reason"].label = "Where do these providers and rates come from?"


class QuoteForm(GovukForm):
    """Which rate applies to the hour that starts at a moment: a date in three boxes (the GOV.UK date
    input) and a time on the 24-hour clock."""

    on = GovukDateField(label="Date the hour starts")
    at = forms.TimeField(
        label="Time the hour starts", help_text="On the 24-hour clock, for example 23:00",
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={"required": "Enter the time the hour starts", "invalid": "Enter a time like 23:00"},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].error_messages["required"] = "Enter the date the hour starts"
        self.fields["at"].widget.attrs.update({"width": "5", "autocomplete": "off"})
