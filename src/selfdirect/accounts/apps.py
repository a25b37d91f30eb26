from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "selfdirect.accounts"
    label = "accounts"
    verbose_name = "Staff accounts, invitations and API tokens"

    def ready(self) -> None:
        from selfdirect.core import registry
        from selfdirect.core.constants import Role

        registry.nav("Staff", "accounts:list", roles={Role.ADMIN}, order=90)

        from . import access  # noqa: F401 - registers the scopes of invitations and deactivations
        from .home import person_account_section

        registry.person_section(person_account_section, order=90)
