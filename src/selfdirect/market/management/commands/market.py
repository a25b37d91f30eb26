from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from selfdirect.core.money import format_pence
from selfdirect.market import access, directory, rates, services
from selfdirect.market.access import broker_scope, contract_scope, list_scope, pa_scope, service_scope
from selfdirect.people.access import people_scope
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
        sub.add_parser("brokers", help="Brokers and support planners with their fees")
        sub.add_parser("lists", help="Preferred-provider and framework lists with their fixed prices")
        public = sub.add_parser("directory", help="What the public directory shows today")
        public.add_argument("--support-type", default="", help="A type of support, or planning")
        duties = sub.add_parser("duties", help="A person's PA employments and employer-duties checklist")
        duties.add_argument("person_id", type=int)
        move = sub.add_parser(
            "transfer", help="Move a person's block-funded service to their personal budget"
        )
        move.add_argument("person_id", type=int)
        move.add_argument("arrangement_id", type=int)
        move.add_argument("on", help="The first day paid from the budget, e.g. 2026-06-15")
        move.add_argument("--reason", default="Moved from the block contract to a personal budget")

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
            found = service_scope(user, authority).filter(pk=opts["service_id"]).first()
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
            for pa in pa_scope(user, authority):
                dbs = pa.latest_dbs()
                state = (
                    "no DBS"
                    if dbs is None
                    else ("DBS in date" if pa.dbs_in_date(today) else f"DBS EXPIRED {dbs.expires_on}")
                )
                shown = "listed publicly" if pa.pk in public else "hidden from the public directory"
                self.stdout.write(f"{pa.pk:>5}  {pa.name}: {state}; {shown}")
        elif action == "contracts":
            for contract in contract_scope(user, authority).select_related("provider"):
                self.stdout.write(
                    f"{contract.reference} {contract.title} ({contract.get_kind_display()}, {contract.provider}): "
                    f"{contract.starts_on} to {contract.ends_on}; review {contract.review_on}; "
                    f"start re-tendering by {contract.tender_notice_on}"
                )
                for warning in services.contract_warnings(contract):
                    self.stdout.write(f"    Warning: {warning}")
                for usage in contract.usage.all():
                    effect = services.contract_effect(contract, usage)
                    self.stdout.write(
                        f"    {usage.period_start}: pay {format_pence(effect.payment_pence)}. {effect.explanation}"
                    )
        elif action == "brokers":
            for broker in broker_scope(user, authority):
                paid = (
                    "can be paid from the budget"
                    if broker.payable_from_budget
                    else "not paid from the budget"
                )
                self.stdout.write(
                    f"{broker.pk:>5}  {broker.name} ({broker.get_kind_display()}): "
                    f"{format_pence(broker.fee_pence)} {broker.get_fee_basis_display()}, {paid}"
                )
        elif action == "lists":
            for plist in list_scope(user, authority):
                self.stdout.write(
                    f"{plist.pk:>5}  {plist.name} ({plist.get_kind_display()}) from {plist.starts_on}"
                )
                for entry in plist.entries.select_related("service__provider"):
                    self.stdout.write(
                        f"       {entry.service.provider.name}: {entry.service.name}, "
                        f"{format_pence(entry.fixed_price_pence)} per {entry.service.unit}"
                    )
        elif action == "directory":
            public_listing = directory.listing(
                authority, directory.Filters(support_type=opts["support_type"]), today
            )
            for e in public_listing.providers:
                self.stdout.write(f"provider  {e.provider.name}: {e.stars or '-'} stars")
            for pa, stars in public_listing.pas:
                self.stdout.write(f"PA        {pa.name}: {stars or '-'} stars")
            for broker, stars in public_listing.brokers:
                self.stdout.write(
                    f"broker    {broker.name} ({broker.get_kind_display()}): {stars or '-'} stars"
                )
        elif action in ("duties", "transfer"):
            person = people_scope(user, authority).filter(pk=opts["person_id"]).first()
            if person is None:
                raise CommandError(f"no person {opts['person_id']} that {user.username} works with")
            if action == "duties":
                if not user.has_perm("market.view_employer_duties", person):
                    raise CommandError(f"{user.username} may not see {person}'s employer duties")
                for employment in person.pa_employments.prefetch_related("duties"):
                    family = " (family member)" if employment.family_member else ""
                    self.stdout.write(f"{employment.pa_name}{family} from {employment.starts_on}")
                    for duty in employment.duties.all():
                        self.stdout.write(f"    [{duty.get_status_display()}] {duty.get_duty_display()}")
            else:
                if not user.has_perm("market.transfer_arrangement", person):
                    raise CommandError(f"{user.username} may not move {person}'s services")
                arrangement = person.market_arrangements.filter(pk=opts["arrangement_id"]).first()
                if arrangement is None:
                    raise CommandError(f"no arrangement {opts['arrangement_id']} for {person}")
                try:
                    day = dt.date.fromisoformat(opts["on"])
                except ValueError:
                    raise CommandError("on: give a date like 2026-06-15") from None
                try:
                    new = services.transfer_to_budget(user, arrangement, day, opts["reason"])
                except services.ServiceError as exc:
                    raise CommandError(
                        "; ".join(f"{field}: {m}" for field, ms in exc.errors.items() for m in ms)
                    ) from None
                arrangement.refresh_from_db()
                self.stdout.write(
                    f"Block-funded until {arrangement.ends_on}; paid from the personal budget from "
                    f"{new.starts_on} (arrangement {new.pk})"
                )
