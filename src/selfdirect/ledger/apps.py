from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "selfdirect.ledger"
    label = "ledger"
    verbose_name = "Budgets, payments and the ledger"

    def ready(self) -> None:
        from selfdirect.core import registry
        from selfdirect.core.constants import Role

        registry.nav("Money", "ledger:home", roles={Role.FINANCE, Role.ADMIN, Role.COMMISSIONER}, order=40)
        from .views import home_section, person_section

        registry.home_section(home_section, order=40)
        registry.person_section(person_section, order=40)

        from . import (
            access,  # noqa: F401 - registers the ledger's scopes (core/access.py)
            labels,
        )

        labels.register()

        from selfdirect.core import rules

        from . import policy

        rules.register(rules.Kind(
            key=policy.KIND, label="Money rules", filename="ledger.yaml", check=policy.check_for_rules,
            starting_text=policy.starting_text, managed_by=frozenset({Role.COMMISSIONER, Role.FINANCE, Role.ADMIN}),
            read_by=frozenset({Role.COMMISSIONER, Role.FINANCE, Role.ADMIN, Role.ASSESSOR, Role.PLANNER}),
        ))  # fmt: skip
        from .demo import load_ledger_demo

        registry.demo(lambda chosen: load_ledger_demo(today=chosen.today), order=50)
