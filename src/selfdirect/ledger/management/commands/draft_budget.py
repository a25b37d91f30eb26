"""Draft a budget from the command line: the same service as the finance page and the API.

    manage.py draft_budget --authority northshire --as northshire-finance --person NO000002 \\
        --stream adult_social_care --period 2026-04-01:2027-03-31 --starts-on 2026-04-01 \\
        --annual 10400 --frequency four_weekly --route council_managed:90 --route direct_payment:10 \\
        --payee "council_managed=Home Care Ltd" --reason "from the approved plan"

Mix and match is several ``--route ROUTE:SHARE`` (shares are weights, usually per cent); a
third-party managed account's fee is ``--fee third_party=4.5``. Nothing is saved if anything is wrong.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.cli import authority_option, date_option, pounds_option, service_error, worker_option
from selfdirect.core.errors import ServiceError
from selfdirect.core.money import format_pence
from selfdirect.ledger import services
from selfdirect.ledger.access import money_people
from selfdirect.ledger.constants import Route

OPTION_FOR = {
    "agreed_annual_pence": "--annual", "indicative_pence": "--indicative", "difference_reasons": "--difference-reasons",
    "frequency": "--frequency", "period_end": "--period", "starts_on": "--starts-on", "deployments": "--route",
    "stream": "--stream", "reason": "--reason", "midpoint": "--midpoint", "payee_name": "--payee",
    "payee_account": "--payee-account",
}  # fmt: skip


class Command(BaseCommand):
    help = "Draft a budget (figure, frequency, start date, routes with shares); agree it to pay it"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", required=True)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--person", required=True, help="The person's reference")
        parser.add_argument("--stream", required=True, help="Funding stream code, e.g. adult_social_care")
        parser.add_argument("--period", required=True, help="The budget's period, START:END (YYYY-MM-DD)")
        parser.add_argument("--starts-on", required=True, help="Move-in or start date (YYYY-MM-DD)")
        parser.add_argument("--annual", required=True, help="Agreed budget in pounds a year")
        parser.add_argument(
            "--frequency",
            required=True,
            help="weekly, four_weekly, monthly, quarterly, or once (a one-off grant)",
        )
        parser.add_argument(
            "--midpoint",
            help="SETTLED:HIGHER yearly figures in pounds for a mid-point budget (--annual is its mid-point)",
        )
        parser.add_argument(
            "--route", action="append", default=[], help="ROUTE[:SHARE], repeated to mix and match"
        )
        parser.add_argument("--payee", action="append", default=[], help="ROUTE=NAME of who is paid")
        parser.add_argument("--payee-account", action="append", default=[], help="ROUTE=ACCOUNT or reference")
        parser.add_argument("--fee", action="append", default=[], help="ROUTE=PERCENT manager's fee")
        parser.add_argument("--indicative", help="Indicative budget from the allocation, pounds a year")
        parser.add_argument("--difference-reasons", default="", help="Why agreed and indicative differ")
        parser.add_argument("--plan-cost", help="The support plan's cost, pounds a year")
        parser.add_argument("--source", default="", help="How the figure was worked out")
        parser.add_argument("--reason", required=True, help="Why it is drafted (goes in the history)")

    def _keyed(self, option: str, values: list[str], routes: set[str]) -> dict[str, str]:
        found = {}
        for value in values:
            route, sep, text = value.partition("=")
            if not sep or route not in routes:
                raise CommandError(f"{option}: {value!r} must be ROUTE=VALUE for a route given with --route")
            found[route] = text.strip()
        return found

    def _deployments(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        if not options["route"]:
            raise CommandError("--route: say how the budget is held, e.g. --route direct_payment")
        rows: dict[str, dict[str, Any]] = {}
        for value in options["route"]:
            route, _, share = value.partition(":")
            if route not in Route.values:
                raise CommandError(f"--route: {route!r} is not one of {', '.join(Route.values)}")
            if route in rows:
                raise CommandError(f"--route: {route} is given twice")
            if share and not (share.isdigit() and 0 < int(share) <= 10000):
                raise CommandError(f"--route: the share {share!r} for {route} must be a whole number above 0")
            rows[route] = {"route": route, "share": int(share or 100)}
        for route, name in self._keyed("--payee", options["payee"], set(rows)).items():
            rows[route]["payee_name"] = name
        for route, account in self._keyed("--payee-account", options["payee_account"], set(rows)).items():
            rows[route]["payee_account"] = account
        for route, fee in self._keyed("--fee", options["fee"], set(rows)).items():
            try:
                percent = Decimal(fee)
            except InvalidOperation:
                raise CommandError(f"--fee: {fee!r} is not a percentage") from None
            if route != Route.THIRD_PARTY:
                raise CommandError(
                    "--fee: only a third-party managed account (third_party) has a manager's fee"
                )
            if not (0 <= percent <= 100) or percent != percent.quantize(Decimal("0.01")):
                raise CommandError(f"--fee: {fee!r} must be between 0 and 100, to two decimal places")
            rows[route]["fee_percent"] = percent
        return list(rows.values())

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_option(options["authority"])
        user = worker_option(options["username"], authority)
        person = money_people(user, authority).filter(reference__iexact=options["person"].strip()).first()
        if person is None:
            raise CommandError(f"--person: no person {options['person']!r} whose money you work with")
        if not user.has_perm("ledger.draft_budget", authority):
            raise CommandError(f"--as: {options['username']!r} may not draft budgets")
        start_text, sep, end_text = options["period"].partition(":")
        if not sep:
            raise CommandError(
                f"--period: {options['period']!r} must be START:END, e.g. 2026-04-01:2027-03-31"
            )
        annual = pounds_option("--annual", options["annual"], negative=False)
        midpoint = None
        if options["midpoint"]:
            low, sep, high = options["midpoint"].partition(":")
            if not sep:
                raise CommandError(
                    f"--midpoint: {options['midpoint']!r} must be SETTLED:HIGHER, e.g. 5200:7800"
                )
            midpoint = (
                pounds_option("--midpoint", low.strip(), negative=False),
                pounds_option("--midpoint", high.strip(), negative=False),
            )
        try:
            budget = services.create_budget(
                user, person, stream=options["stream"].strip(), period_start=date_option("--period", start_text.strip()),
                period_end=date_option("--period", end_text.strip()), agreed_annual_pence=annual,
                starts_on=date_option("--starts-on", options["starts_on"].strip()), frequency=options["frequency"],
                deployments=self._deployments(options),
                indicative_pence=pounds_option("--indicative", options["indicative"], optional=True, negative=False),
                difference_reasons=options["difference_reasons"], source=options["source"],
                plan_cost_pence=pounds_option("--plan-cost", options["plan_cost"], optional=True, negative=False),
                reason=options["reason"], midpoint=midpoint,
            )  # fmt: skip
        except ServiceError as exc:
            raise service_error(exc, OPTION_FOR) from None
        routes = ", ".join(f"{d.get_route_display()} {d.share}" for d in budget.deployments.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Budget {budget.pk} drafted for {person.reference}: {format_pence(budget.agreed_annual_pence)} "
                f"a year, {budget.get_frequency_display().lower()}, from {budget.starts_on} ({routes}). "
                f"Agree it with: manage.py agree_budget {budget.pk}"
            )
        )
