from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "selfdirect.policies"
    label = "policies"
    verbose_name = "Resource allocation policies: published versions and the engine that reads them"

    def ready(self) -> None:
        from . import (
            access,  # noqa: F401 - registers the policy versions' scope
            labels,
        )

        labels.register()
