from django.apps import AppConfig


class ExtracareConfig(AppConfig):
    name = "selfdirect.extracare"
    label = "extracare"
    verbose_name = "Extra Care Housing planning"

    def ready(self) -> None:
        from selfdirect.core import registry

        from . import access, rules  # noqa: F401 - registers the scopes and the permissions
        from .constants import VIEW_ROLES
        from .views import home_section

        registry.nav("Extra Care", "extracare:list", roles=VIEW_ROLES, order=60)
        registry.home_section(home_section, order=60)

        from .demo import load_demo

        registry.demo(lambda chosen: load_demo(), order=20)
