from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "selfdirect.allocation"
    label = "allocation"
    verbose_name = "Resource allocation: policies, indicative budgets and what-ifs"

    def ready(self) -> None:
        from selfdirect.core import registry
        from selfdirect.core.constants import Role

        from . import access, views  # noqa: F401 - access registers the allocations' scopes

        registry.nav("Policies", "allocation:policies", roles={Role.COMMISSIONER, Role.ADMIN}, order=40)
        registry.nav("What-if", "allocation:what-ifs", roles={Role.COMMISSIONER}, order=41)
        registry.home_section(views.home_section, order=30)
        registry.person_section(views.person_section, order=20)

        from .demo import load_allocation_demo

        registry.demo(lambda chosen: load_allocation_demo(today=chosen.today), order=10)
