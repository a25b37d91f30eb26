from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "selfdirect.plans"
    label = "plans"
    verbose_name = "Support plans, the risk enablement panel and reviews"

    def ready(self) -> None:
        from selfdirect.core import registry
        from selfdirect.core.constants import Role

        from . import access, home, labels, views  # noqa: F401 - access registers the plans' scopes (core/access.py)

        labels.register()

        registry.nav("Plans", "plans:list", roles=set(Role) - {Role.COMMISSIONER, Role.PROVIDER}, order=30)
        registry.home_section(home.my_plan, order=10)
        registry.home_section(home.sign_off, order=20)
        registry.home_section(home.reviews, order=21)
        registry.home_section(home.refusals, order=22)
        registry.home_section(home.panel_decisions, order=24)
        registry.home_section(home.to_deploy, order=23)
        registry.home_section(home.panel, order=30)
        registry.home_section(home.appeals, order=31)
        registry.person_section(views.person_section, order=30)

        from .demo import load_plans_demo

        registry.demo(lambda chosen: load_plans_demo(today=chosen.today), order=40)
