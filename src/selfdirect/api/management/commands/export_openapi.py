from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from selfdirect.api.openapi import OPENAPI_PATH, current_schema, render


class Command(BaseCommand):
    help = "Write the API's OpenAPI document to src/selfdirect/api/openapi.json (commit it)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Fail if the committed file is out of date")

    def handle(self, *args: Any, **opts: Any) -> None:
        text = render(current_schema())
        if opts["check"]:
            if not OPENAPI_PATH.exists() or OPENAPI_PATH.read_text() != text:
                self.stderr.write("openapi.json is out of date: run manage.py export_openapi")
                raise SystemExit(1)
            self.stdout.write("openapi.json is up to date")
            return
        OPENAPI_PATH.write_text(text)
        self.stdout.write(f"Wrote {OPENAPI_PATH}")
