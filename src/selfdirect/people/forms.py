"""Forms for people records. Field rules live on the models; these add GOV.UK widgets and the
reason every audited change needs."""

from __future__ import annotations

from typing import Any

from django import forms

from selfdirect.core.constants import Role
from selfdirect.core.forms import GovukDateField, GovukModelForm, ReasonMixin
from selfdirect.core.models import Authority, User

from .models import ContactLogEntry, Person, Representative, Team
from .nhs import normalise_nhs_number
from .services import MAX_IMPORT_BYTES, TOO_BIG


class YesNoUnknown(forms.NullBooleanSelect):
    pass


class PersonForm(forms.ModelForm, ReasonMixin):
    # Allow the spaces people type ("943 476 5919"); clean_nhs_number strips them before the model checks.
    nhs_number = forms.CharField(
        label="NHS number", max_length=14, required=False, help_text="For example, 943 476 5919"
    )
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 1948")
    has_capacity = forms.NullBooleanField(
        label="Do they have capacity to make decisions about their support?",
        widget=forms.RadioSelect(choices=[("", "Not yet assessed"), ("True", "Yes"), ("False", "No")]),
        required=False,
    )

    class Meta:
        model = Person
        fields = [
            "given_name", "family_name", "preferred_name", "date_of_birth", "sex",
            "address_line_1", "address_line_2", "town", "postcode", "nhs_number",
            "client_group", "facs_band", "primary_support_reason",
            "contact_preference", "phone", "email", "contact_notes",
            "has_capacity", "capacity_notes", "consents_to_share", "consent_notes", "team",
        ]  # fmt: skip
        widgets = {
            "sex": forms.RadioSelect,
            "facs_band": forms.RadioSelect,
            "contact_preference": forms.RadioSelect,
            "capacity_notes": forms.Textarea(attrs={"rows": 3}),
            "consent_notes": forms.Textarea(attrs={"rows": 3}),
            "contact_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, authority: Authority, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(authority=authority)
        if Role.ADMIN not in user.roles_in(authority):
            teams = teams.filter(members=user)
            self.fields["team"].required = True
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["team"].help_text = "The team whose caseload this person is on"
        if self.instance.pk:
            self.fields["reason"].initial = ""
        else:
            self.fields["reason"].initial = "New referral"

    def clean_nhs_number(self) -> str:
        return normalise_nhs_number(self.cleaned_data.get("nhs_number") or "")

    def clean_postcode(self) -> str:
        return (self.cleaned_data.get("postcode") or "").upper().strip()

    def model_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class RepresentativeForm(forms.ModelForm, ReasonMixin):
    starts_on = GovukDateField(label="Acting for them from")
    ends_on = GovukDateField(label="Until", required=False, help_text="Leave blank if there is no end date")

    class Meta:
        model = Representative
        fields = [
            "name", "type", "relationship", "phone", "email", "user", "may_view_record",
            "may_complete_assessment", "may_agree_plan", "may_manage_money", "evidence", "starts_on", "ends_on",
        ]  # fmt: skip
        widgets = {"type": forms.RadioSelect, "evidence": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__authority=authority, memberships__role=Role.REPRESENTATIVE
        ).distinct()
        self.fields["user"].label = "Their selfdirect sign-in"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be the same as or after the start date")
        return data

    def model_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class AllocationForm(ReasonMixin):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team")
    allocated_worker = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Worker")

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(authority=authority)  # type: ignore[attr-defined]
        self.fields["allocated_worker"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(teams__authority=authority).distinct().order_by("full_name")
        )
        # Reason comes last, after what is being changed.
        self.order_fields(["team", "allocated_worker", "reason"])


class ContactForm(GovukModelForm):
    happened_on = GovukDateField(label="Date of contact")

    class Meta:
        model = ContactLogEntry
        fields = ["happened_on", "kind", "summary", "notes"]
        widgets = {"kind": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 4})}


class ReasonForm(ReasonMixin):
    pass


class ImportForm(ReasonMixin):
    file = forms.FileField(
        label="Upload a CSV file", help_text="The first line must name the columns",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["file", "reason"])
        self.fields["reason"].label = "Where do these records come from?"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:  # refused unread
            raise forms.ValidationError(TOO_BIG)
        return upload
