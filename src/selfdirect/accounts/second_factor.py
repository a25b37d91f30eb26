"""A second factor for signing in (TOTP, django-otp): a six-digit code from an authenticator app.
Staff use one when their council requires it (Authority.second_factor_required); anyone who has set
one up uses it every time they sign in. Someone who has not set one up yet, where it is required, is
taken to set it up before anything else."""

from __future__ import annotations

import base64

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from selfdirect.core import audit
from selfdirect.core.constants import STAFF_ROLES, AuditAction
from selfdirect.core.models import Authority, User

DEVICE_NAME = "Authenticator app"


def device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def required(user: User, authority: Authority | None, roles: frozenset[str]) -> bool:
    """Whether this user must enter a code before using the service."""
    if authority is not None and authority.second_factor_required and roles & STAFF_ROLES:
        return True
    return device(user) is not None


def pending(user: User) -> TOTPDevice:
    """The device being set up (not yet confirmed): made once, so reloading the page keeps the key."""
    found = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return found or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def key_text(dev: TOTPDevice) -> str:
    """The key to type into an app that cannot scan the picture, in groups of four."""
    key = base64.b32encode(dev.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(dev: TOTPDevice) -> str:
    return segno.make(dev.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff")


def check(request: object, dev: TOTPDevice, code: str) -> bool:
    """Whether ``code`` is right for the device now; if it is, the session counts as verified."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6) or not dev.verify_token(code):
        return False
    otp_login(request, dev)
    return True


def confirm(request: object, user: User, dev: TOTPDevice, code: str, authorities: list[Authority]) -> bool:
    """Finish setting up: the first right code confirms the device (any older one goes)."""
    with transaction.atomic():
        if not check(request, dev, code):
            return False
        TOTPDevice.objects.filter(user=user).exclude(pk=dev.pk).delete()
        dev.confirmed = True
        dev.save(update_fields=["confirmed"])
        for authority in authorities:
            audit.record(actor=user, authority=authority, action=AuditAction.CHANGE, obj=user,
                         reason="Second factor set up", changes={"second factor": [None, DEVICE_NAME]})  # fmt: skip
    return True


def reset(actor: User, authority: Authority, user: User, reason: str) -> bool:
    """An administrator takes away a user's second factor (a lost phone): they set up a new one at
    their next sign-in where it is required. False when there was none."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        if removed:
            audit.record(actor=actor, authority=authority, action=AuditAction.CHANGE, obj=user, reason=reason,
                         changes={"second factor": [DEVICE_NAME, None]})  # fmt: skip
    return bool(removed)
