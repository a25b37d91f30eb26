from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "selfdirect.core"
    label = "core"
    verbose_name = "Authorities, users and audit"

    def ready(self) -> None:
        from django.db.models import Field, ForeignObject

        from .lookups import AnyOf

        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(AnyOf)  # foreign keys keep lookups of their own
