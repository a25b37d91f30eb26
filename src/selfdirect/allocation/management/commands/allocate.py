from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.allocation.services import allocate_assessment
from selfdirect.assessment.constants import AssessmentStatus
from selfdirect.core.errors import ServiceError
from selfdirect.core.models import Authority, User
from selfdirect.people.models import Person


class Command(BaseCommand):
    help = "Work out and store one person's indicative budget from their latest sent assessment."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--person", required=True, help="The person's reference")
        parser.add_argument("--authority", required=True, help="Authority slug")
        parser.add_argument("--as", dest="username", required=True, help="The worker allocating")
        parser.add_argument("--reason", default="Allocated from the command line")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = Authority.objects.filter(slug=options["authority"]).first()
        user = User.objects.filter(username=options["username"]).first()
        if authority is None or user is None:
            raise CommandError("unknown authority or user")
        person = Person.objects.filter(authority=authority, reference=options["person"]).first()
        if person is None or not user.has_perm("allocation.allocate", person):
            raise CommandError(f"no person {options['person']!r} that {user} may allocate")
        assessment = (
            person.assessments.exclude(status=AssessmentStatus.DRAFT).first() or person.assessments.first()
        )
        if assessment is None:
            raise CommandError(f"{person.reference} has no assessment")
        try:
            allocation = allocate_assessment(user, assessment, reason=options["reason"])
        except ServiceError as exc:
            raise CommandError("; ".join(m for ms in exc.errors.values() for m in ms)) from None
        data = allocation.explanation
        self.stdout.write(f"{person.reference} {person}: indicative budget under {data['policy_version']}")
        for line in data["lines"]:
            self.stdout.write(f"  [{line['stream']}] {line['staff_text']}  {line['amount_pence']}p")
        self.stdout.write(
            f"  total {allocation.total_annual_pence}p a year, {allocation.total_weekly_pence}p a week"
        )
