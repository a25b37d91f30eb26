"""One way to turn a page's HTML into a PDF response, shared by plans, statements and reports.

WeasyPrint lays out ordinary HTML and CSS, so a printable document is a Django template like any
other page; there is no second layout language to keep in step.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .http import download


def pdf_bytes(html: str, base_url: str | None = None) -> bytes:
    """Lay out ``html`` and return the PDF file's bytes."""
    from weasyprint import HTML  # imported here: it is slow to import and most requests never need it

    return HTML(string=html, base_url=base_url).write_pdf()


def render_pdf(
    request: HttpRequest | None,
    template: str,
    context: dict[str, Any],
    filename: str,
    *,
    attachment: bool = False,
) -> HttpResponse:
    """Render ``template`` with ``context`` and answer with it as a PDF named ``filename``."""
    html = render_to_string(template, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    return download(
        HttpResponse(pdf_bytes(html, base_url), content_type="application/pdf"),
        filename,
        inline=not attachment,
    )
