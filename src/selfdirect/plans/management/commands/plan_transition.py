from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from selfdirect.core.errors import ServiceError
from selfdirect.core.models import User
from selfdirect.plans import access, services
from selfdirect.plans.workflow import TRANSITIONS, TransitionForbidden, TransitionRefused, permission_for


class Command(BaseCommand):
    help = "Make a workflow step on a support plan as a user, e.g. plan_transition 12 approve --as northshire-assessor"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("plan", type=int)
        parser.add_argument("action", choices=sorted(TRANSITIONS))
        parser.add_argument("--as", dest="username", required=True, help="Who makes the step")
        parser.add_argument("--reason", default="")
        parser.add_argument("--conditions", default="")
        parser.add_argument("--minutes", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called {options['username']!r}")
        plan = None
        for authority in user.authorities():
            plan = access.money_scope(user, authority).filter(pk=options["plan"]).first() or plan
        if plan is None or not user.has_perm(permission_for(options["action"]), plan):
            raise CommandError(f"plan {options['plan']} not found, or not one {user.username} works with")
        try:
            step = services.apply_transition(
                user, plan, options["action"], options["reason"],
                data={"conditions": options["conditions"], "minutes": options["minutes"]},
            )  # fmt: skip
        except TransitionForbidden as exc:
            raise CommandError(f"not allowed: {exc}") from None
        except TransitionRefused as exc:
            raise CommandError("refused: " + "; ".join(exc.messages)) from None
        except ServiceError as exc:
            raise CommandError(str(exc)) from None
        if step is None:
            self.stdout.write(f"plan {plan.pk}: already done, nothing changed")
        else:
            self.stdout.write(f"plan {plan.pk}: {step.from_state} -> {step.to_state}")
