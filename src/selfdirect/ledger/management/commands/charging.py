"""Charging from the command line: show a person's contribution, arrears and disputes; record an
assessed contribution or money received; raise a dispute or record its outcome (seed 004 Q8)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.cli import authority_option, date_option, pounds_option, service_error, worker_option
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.core.money import format_pence
from selfdirect.ledger import services
from selfdirect.ledger.access import charge_scope, dispute_scope, money_people
from selfdirect.people.models import Person


class Command(BaseCommand):
    help = "A person's contributions, arrears and disputes: show, assess, receive, dispute, decide"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["show", "assess", "receive", "dispute", "decide"])
        parser.add_argument("--authority", required=True)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--person", help="The person's reference (show, assess, receive, dispute)")
        parser.add_argument("--weekly", help="assess: weekly contribution in pounds")
        parser.add_argument("--mode", choices=["net", "gross"], help="assess: net or gross (default: policy)")
        parser.add_argument("--amount", help="receive, dispute: amount in pounds")
        parser.add_argument("--on", help="assess: start date; receive: date received (YYYY-MM-DD)")
        parser.add_argument("--subject", help="dispute: what it is about")
        parser.add_argument("--charge", type=int, help="dispute: the assessed contribution's id")
        parser.add_argument("--dispute", type=int, help="decide: the dispute's id")
        parser.add_argument("--status", choices=["upheld", "rejected", "settled"], help="decide: the outcome")
        parser.add_argument("--reason", default="", help="Why (assess, receive) or the outcome (decide)")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_option(options["authority"])
        user = worker_option(options["username"], authority)
        action = options["action"]
        try:
            if action == "decide":
                if not user.has_perm("ledger.decide_dispute", authority):
                    raise CommandError(f"--as: {options['username']!r} may not decide disputes")
                dispute = dispute_scope(user, authority).filter(pk=options["dispute"]).first()
                if dispute is None:
                    raise CommandError(f"--dispute: no dispute {options['dispute']} in {authority.slug}")
                dispute = services.decide_dispute(user, dispute, options["status"] or "", options["reason"])
                self.stdout.write(self.style.SUCCESS(f"Dispute {dispute.pk} is {dispute.status}"))
                return
            person = money_people(user, authority).filter(reference=options["person"] or "").first()
            if person is None:
                raise CommandError(f"--person: no person {options['person']!r} whose money you work with")
            self._act(user, authority, person, action, options)
        except ServiceError as exc:
            raise service_error(exc) from None

    def _act(
        self, user: User, authority: Authority, person: Person, action: str, options: dict[str, Any]
    ) -> None:
        if action == "assess":
            if not user.has_perm("ledger.assess_charge", authority):
                raise CommandError(f"--as: {options['username']!r} may not assess contributions")
            charge = services.assess_charge(
                user, person, weekly_pence=pounds_option("--weekly", options["weekly"]),
                starts_on=date_option("--on", options["on"]), reason=options["reason"], mode=options["mode"],
            )  # fmt: skip
            self.stdout.write(
                self.style.SUCCESS(
                    f"Contribution {charge.pk}: {format_pence(charge.weekly_pence)} a week ({charge.mode})"
                )
            )
        elif action == "receive":
            if not user.has_perm("ledger.assess_charge", authority):
                raise CommandError(f"--as: {options['username']!r} may not record money received")
            services.receive_contribution(user, person, pounds_option("--amount", options["amount"]),
                                          date_option("--on", options["on"]), reason=options["reason"] or "contribution received")  # fmt: skip
        elif action == "dispute":
            if not user.has_perm("ledger.raise_dispute", person):
                raise CommandError(
                    f"--as: {options['username']!r} may not raise disputes for {person.reference}"
                )
            charge = None
            if options["charge"]:
                charge = charge_scope(user, authority).filter(pk=options["charge"], person=person).first()
                if charge is None:
                    raise CommandError(
                        f"--charge: no contribution {options['charge']} for {person.reference}"
                    )
            dispute = services.open_dispute(
                user, person, subject=options["subject"] or "", raised_by=user.full_name or user.username,
                amount_pence=pounds_option("--amount", options["amount"]) if options["amount"] else 0, charge=charge,
            )  # fmt: skip
            self.stdout.write(self.style.SUCCESS(f"Dispute {dispute.pk} raised"))
        s = services.charging_summary(person)  # person is one whose money the user may see
        clawback = s.clawback_position
        current = f"{format_pence(s.current.weekly_pence)} a week ({s.current.mode})" if s.current else "none"
        self.stdout.write(f"{person.reference} {person}: contribution {current}")
        self.stdout.write(
            f"charged {format_pence(s.charged)}, invoiced {format_pence(s.invoiced)}, received "
            f"{format_pence(s.received)}, arrears {format_pence(s.arrears)}, claw-back {format_pence(s.clawback)}"
        )
        self.stdout.write(
            f"claw-back: clawed back {format_pence(clawback.owed)}, received back {format_pence(clawback.received)}, "
            f"still owed {format_pence(clawback.outstanding)}"
        )
        for d in s.disputes:
            self.stdout.write(
                f"dispute {d.pk} ({d.opened_on}) {d.status}: {d.subject}{' -> ' + d.outcome if d.outcome else ''}"
            )
