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
