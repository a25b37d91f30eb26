"""Grant the application's database role what it needs, and nothing more (PostgreSQL). Run after
every migrate, as the role that owns the tables:

    DATABASE_URL=postgres://owner@host/selfdirect manage.py migrate
    DATABASE_URL=postgres://owner@host/selfdirect manage.py grant_app_role selfdirect_app [--create]

then run the application as that role (``DATABASE_URL=postgres://selfdirect_app@host/selfdirect``, or
log in as a member of it and set ``SELFDIRECT_DB_ROLE=selfdirect_app``). See core/dbroles.py.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from selfdirect.core import dbroles


class Command(BaseCommand):
    help = (
        "Grant the application's database role SELECT, INSERT, UPDATE and DELETE on every table (PostgreSQL)"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="The role the application runs as, e.g. selfdirect_app")
        parser.add_argument(
            "--create", action="store_true", help="Create the role (no login) if it is missing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL: SQLite has no roles")
        role = options["role"].strip()
        if not role.replace("_", "").isalnum():
            raise CommandError(f"role: {role!r} must be letters, digits and underscores")
        dbroles.grant(connection, role, create=options["create"])
        self.stdout.write(self.style.SUCCESS(f"{role} may read and write every table, and owns none"))
