from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "selfdirect.people"
    label = "people"
    verbose_name = "People, representatives and caseloads"

    def ready(self) -> None:
        from selfdirect.core import registry
        from selfdirect.core.constants import CASELOAD_ROLES, Role

        registry.nav("People", "people:list", roles=CASELOAD_ROLES | {Role.ADMIN, Role.FINANCE}, order=10)
        registry.nav("Teams", "people:teams", roles=CASELOAD_ROLES | {Role.ADMIN}, order=20)

        from . import access  # noqa: F401 - registers the scopes of people, teams and representatives
        from .home import admin_section, people_section

        registry.home_section(people_section, order=0)  # before every other app's
        registry.home_section(admin_section, order=1000)  # after them

        from .demo import load_demo

        registry.demo(lambda chosen: load_demo(chosen.people, today=chosen.today), order=0)
