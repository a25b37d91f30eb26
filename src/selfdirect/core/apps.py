from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "selfdirect.core"
    label = "core"
    verbose_name = "Authorities, users and audit"

    def ready(self) -> None:
        from django.db.models import Field, ForeignObject

        from . import access

        access.register_core_scopes()

        from .lookups import AnyOf

        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(AnyOf)  # foreign keys keep lookups of their own

        from simple_history.signals import pre_create_historical_record

        pre_create_historical_record.connect(_fit_change_reason, dispatch_uid="selfdirect-fit-change-reason")


def _fit_change_reason(sender: object, history_instance: object, **kwargs: object) -> None:
    """django-simple-history keeps a change's reason in a column of 100 characters; a reason may be
    up to 1,000 (the audit log keeps it whole). PostgreSQL refused the longer ones, so the change
    failed; here the history's copy is shortened to fit."""
    reason = getattr(history_instance, "history_change_reason", None)
    if reason:
        limit = history_instance._meta.get_field("history_change_reason").max_length  # type: ignore[attr-defined]
        if limit and len(reason) > limit:
            history_instance.history_change_reason = reason[: limit - 1] + "…"  # type: ignore[attr-defined]
