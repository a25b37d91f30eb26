from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from selfdirect.core.money import format_pence
from selfdirect.market import access, directory, rates, services
from selfdirect.market.models import Contract, PersonalAssistant, Service
from selfdirect.people.management.commands.import_people import actor_and_authority


class Command(BaseCommand):
    help = "The provider market from the command line: providers, rates, PAs, contracts and their payments."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True)
        parser.add_argument("--as", dest="username", required=True)
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("providers", help="List providers and their services with today's standard rate")
        rate = sub.add_parser("rate", help="The rate for a service at a date and time, and why")
        rate.add_argument("service_id", type=int)
        rate.add_argument("at", help="e.g. 2026-04-05T23:00")
        sub.add_parser("pas", help="The PA register, flagging expired DBS checks")
        sub.add_parser("contracts", help="Contracts with review and tender dates and each period's payment")

    def handle(self, *args: Any, **opts: Any) -> None:
        user, authority = actor_and_authority(opts["username"], opts["authority"], "market.view_market")
        today = timezone.localdate()
        action = opts["action"]
        if action == "providers":
            for provider in access.provider_scope(user, authority):
                self.stdout.write(f"{provider.pk:>5}  {provider.name}  CQC {provider.cqc_number or '-'}")
                for service in provider.services.all():
                    table = service.rate_table_on(today)
                    price = format_pence(table.standard_pence) if table else "no rates in force"
                    self.stdout.write(
                        f"       service {service.pk}: {service.name}, {price} per {service.unit}"
                    )
        elif action == "rate":
            found = Service.objects.filter(authority=authority, pk=opts["service_id"]).first()
            if found is None:
                raise CommandError(f"no service {opts['service_id']} in {authority.name}")
            service = found
            try:
                moment = dt.datetime.fromisoformat(opts["at"])
            except ValueError:
                raise CommandError("at: give a date and time like 2026-04-05T23:00") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            try:
                quote = rates.quote(service, moment)
            except rates.NoRate as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{format_pence(quote.pence)} ({quote.band})")
            self.stdout.write(quote.explanation)
        elif action == "pas":
            public = set(directory.public_pas(authority, today).values_list("pk", flat=True))
            for pa in PersonalAssistant.objects.filter(authority=authority):
                dbs = pa.latest_dbs()
                state = (
                    "no DBS"
                    if dbs is None
                    else ("DBS in date" if pa.dbs_in_date(today) else f"DBS EXPIRED {dbs.expires_on}")
                )
                shown = "listed publicly" if pa.pk in public else "hidden from the public directory"
                self.stdout.write(f"{pa.pk:>5}  {pa.name}: {state}; {shown}")
        elif action == "contracts":
            for contract in Contract.objects.filter(authority=authority).select_related("provider"):
                self.stdout.write(
                    f"{contract.reference} {contract.title} ({contract.get_kind_display()}, {contract.provider}): "
                    f"{contract.starts_on} to {contract.ends_on}; review {contract.review_on}; "
                    f"start re-tendering by {contract.tender_notice_on}"
                )
                for usage in contract.usage.all():
                    effect = services.contract_effect(contract, usage)
                    self.stdout.write(
                        f"    {usage.period_start}: pay {format_pence(effect.payment_pence)}. {effect.explanation}"
                    )
