"""The council's logo in the header of every page of its service. An administrator uploads a PNG
or JPEG; it is checked by reading it as an image (Pillow), not by its name, kept in the database
and served from one address whose query string changes when the logo does, so browsers may keep
it for a long time."""

from __future__ import annotations

import io

from django.db import transaction
from django.urls import reverse
from PIL import Image, UnidentifiedImageError

from . import audit
from .constants import AuditAction
from .errors import ServiceError
from .models import Authority, AuthorityLogo, User

MAX_BYTES = 512 * 1024
MAX_SIDE = 2000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def read(data: bytes) -> tuple[str, int, int]:
    """The image's content type, width and height; a ServiceError on ``logo`` naming what is wrong."""
    if len(data) > MAX_BYTES:
        raise ServiceError({"logo": [f"The logo must be smaller than {MAX_BYTES // 1024} KB"]})
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()  # reads the whole file: a cut-off or damaged image fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ServiceError({"logo": ["The logo must be a PNG or JPEG image"]}) from None
    if kind not in FORMATS:
        raise ServiceError({"logo": ["The logo must be a PNG or JPEG image"]})
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ServiceError({"logo": [f"The logo must be at most {MAX_SIDE} pixels wide and high"]})
    return FORMATS[kind], width, height


def save(actor: User, authority: Authority, data: bytes, reason: str) -> AuthorityLogo:
    content_type, width, height = read(data)
    with transaction.atomic():
        logo = AuthorityLogo.objects.select_for_update().filter(authority=authority).first()
        action = AuditAction.CHANGE if logo else AuditAction.CREATE
        logo = logo or AuthorityLogo(authority=authority)
        logo.image, logo.content_type, logo.width, logo.height = data, content_type, width, height
        logo.updated_by = actor
        logo.save()
        audit.record(actor=actor, authority=authority, action=action, obj=logo, reason=reason,
                     changes={"logo": [None, f"{width} by {height} pixels"]})  # fmt: skip
    return logo


def remove(actor: User, authority: Authority, reason: str) -> bool:
    """Take the logo down (the header shows the council's name alone). False when there was none."""
    with transaction.atomic():
        logo = AuthorityLogo.objects.select_for_update().filter(authority=authority).first()
        if logo is None:
            return False
        audit.record(actor=actor, authority=authority, action=AuditAction.DELETE, obj=logo, reason=reason,
                     changes={"logo": [f"{logo.width} by {logo.height} pixels", None]})  # fmt: skip
        logo.delete()
    return True


def url_for(authority: Authority | None) -> str:
    """The logo's address for the header, "" when the council has none."""
    if authority is None:
        return ""
    updated = AuthorityLogo.objects.filter(authority=authority).values_list("updated_at", flat=True).first()
    if updated is None:
        return ""
    return f"{reverse('council-logo', args=[authority.slug])}?v={int(updated.timestamp())}"
