from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "selfdirect.core"
    label = "core"
    verbose_name = "Authorities, users and audit"
