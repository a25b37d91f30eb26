"""Write a budget's statement as a PDF or CSV file (the same documents as the statement page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone

from selfdirect.core.models import User
from selfdirect.core.pdf import pdf_bytes
from selfdirect.ledger.models import Budget
from selfdirect.ledger.statements import statement_context, statement_csv_text


class Command(BaseCommand):
    help = "Write a budget statement to a PDF or CSV file"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("budget_id", type=int)
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--out", required=True, help="File to write: .pdf or .csv")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        budget = Budget.objects.select_related("person", "authority").filter(pk=options["budget_id"]).first()
        if budget is None or user is None or not user.has_perm("ledger.view_budget", budget):
            raise CommandError(f"budget_id: no budget {options['budget_id']} that you work with")
        out = Path(options["out"])
        if out.suffix not in {".pdf", ".csv"}:
            raise CommandError("--out: the file must end .pdf or .csv")
        if out.suffix == ".csv":
            out.write_text(statement_csv_text(budget))
        else:
            context = statement_context(budget)
            context["made_on"] = timezone.localdate()
            out.write_bytes(pdf_bytes(render_to_string("ledger/statement_pdf.html", context)))
        self.stdout.write(self.style.SUCCESS(f"Statement for budget {budget.pk} written to {out}"))
