from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "selfdirect.reporting"
    label = "reporting"
    verbose_name = "Reporting: indicators, outcomes, equity and money"

    def ready(self) -> None:
        from selfdirect.core import registry
        from selfdirect.core.constants import Role

        from . import access  # noqa: F401 - registers the scopes

        registry.nav(
            "Reports", "reporting:dashboard", roles={Role.COMMISSIONER, Role.ADMIN, Role.FINANCE}, order=80
        )

        from .demo import load_reporting_demo

        registry.demo(lambda chosen: load_reporting_demo(today=chosen.today), order=60)
