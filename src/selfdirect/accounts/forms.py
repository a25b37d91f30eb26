from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils import timezone

from selfdirect.core.constants import Role
from selfdirect.core.forms import GovukDateField, GovukForm, GovukMessages, ReasonMixin
from selfdirect.people.models import Team

from .services import MAX_INVITATION_DAYS

ROLE_HINTS = {
    Role.PERSON: "Someone who holds a budget: give this from their record, so the account is linked to it",
    Role.REPRESENTATIVE: "Someone who acts for a person: give this from the person's record",
}


def _teams_field(authority: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Teams", required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Team.objects.filter(authority=authority).order_by("name"),
        help_text="They see the people on these teams' caseloads",
    )  # fmt: skip


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Roles", widget=forms.CheckboxSelectMultiple, help_text="Select all that apply",
        choices=[(r.value, r.label) for r in Role if r not in ROLE_HINTS],
        error_messages={"required": "Select at least one role"},
    )  # fmt: skip


class InviteForm(GovukForm):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(
        label="Email address", help_text="The invitation goes here; it is also their username",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )  # fmt: skip
    days = forms.IntegerField(
        label="How many days the link works", initial=7, min_value=1, max_value=MAX_INVITATION_DAYS,
        widget=forms.NumberInput(attrs={"width": "2"}),
    )  # fmt: skip

    def __init__(self, *args: Any, authority: Any, staff: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["roles"] = _roles_field()
            self.fields["teams"] = _teams_field(authority)
            self.order_fields(["full_name", "email", "roles", "teams", "days"])


class RolesForm(ReasonMixin):
    def __init__(self, *args: Any, authority: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = forms.MultipleChoiceField(
            label="Roles", widget=forms.CheckboxSelectMultiple, choices=Role.choices,
            error_messages={"required": "Select at least one role, or switch the account off instead"},
        )  # fmt: skip
        self.fields["teams"] = _teams_field(authority)
        self.order_fields(["roles", "teams", "reason"])


class AcceptForm(GovukForm):
    password = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password",
    )  # fmt: skip
    again = forms.CharField(
        label="Type the password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("again") and data["password"] != data["again"]:
            self.add_error("again", "The two passwords are different: type the same password twice")
        return data


class TokenForm(GovukForm):
    name = forms.CharField(
        label="What is the token for?", max_length=100, help_text="For example: Finance system nightly import"
    )
    expires_on = GovukDateField(label="The token stops working on", help_text="At most a year from today")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(days=90)


class ResetForm(GovukMessages, PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"


class NewPasswordForm(GovukMessages, SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 10 characters; not a common password"
        self.fields["new_password2"].label = "Type the new password again"


class ChangePasswordForm(GovukMessages, PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Your password now"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 10 characters; not a common password"
        self.fields["new_password2"].label = "Type the new password again"


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=12,
        help_text="The 6 digits the app shows now, for example 123456",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "width": "10"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )  # fmt: skip


class IdentityProviderForm(ReasonMixin):
    issuer = forms.URLField(label="Issuer address", assume_scheme="https", help_text="Your identity provider gives it; its discovery "
                            "document is read from here, for example https://login.example.gov.uk")  # fmt: skip
    client_id = forms.CharField(label="Client ID", max_length=200)
    client_secret = forms.CharField(
        label="Client secret", max_length=500, required=False, widget=forms.PasswordInput,
        help_text="Leave blank to keep the one saved before",
    )  # fmt: skip
    enabled = forms.BooleanField(label="Staff may sign in this way", required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["issuer", "client_id", "client_secret", "enabled", "reason"])
