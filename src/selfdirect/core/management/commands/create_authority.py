from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from selfdirect.core import rules
from selfdirect.core.constants import Role
from selfdirect.core.models import Authority, Membership, User


class Command(BaseCommand):
    help = "Create an authority and its first administrator."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", help="Short name, e.g. northshire")
        parser.add_argument("name", help="Full name, e.g. 'Northshire County Council'")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-name", default="", help="The administrator's full name")
        parser.add_argument("--admin-email", default="")
        parser.add_argument("--admin-password", help="Omit to be asked for it")
        parser.add_argument(
            "--rules-from", help="Start from a copy of this authority's rules in force (its slug), e.g. northshire"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        slug, name = opts["slug"], opts["name"]
        if Authority.objects.filter(slug=slug).exists():
            raise CommandError(f"slug: an authority called {slug!r} already exists")
        if Authority.objects.filter(name=name).exists():
            raise CommandError(f"name: an authority named {name!r} already exists")
        password = opts["admin_password"]
        if password is None:
            import getpass

            password = getpass.getpass("Password for the administrator: ")
        user = User.objects.filter(username=opts["admin_username"]).first()
        if user is None:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError("admin-password: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            authority = Authority(slug=slug, name=name)
            try:
                authority.full_clean()
            except ValidationError as exc:
                raise CommandError(
                    "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                ) from None
            authority.save()
            if user is None:
                user = User.objects.create_user(
                    opts["admin_username"],
                    email=opts["admin_email"],
                    password=password,
                    full_name=opts["admin_name"],
                )
            Membership.objects.create(user=user, authority=authority, role=Role.ADMIN)
            copied = []
            if opts["rules_from"]:
                source = Authority.objects.filter(slug=opts["rules_from"]).first()
                if source is None:
                    raise CommandError(f"--rules-from: no authority {opts['rules_from']!r}")
                copied = rules.copy_from(user, authority, source)
        self.stdout.write(
            self.style.SUCCESS(f"Created {authority.name} ({slug}) with administrator {user.username}")
        )
        for version in copied:
            self.stdout.write(f"Started from {version.title}, copied from {opts['rules_from']}")
