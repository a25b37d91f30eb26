from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "selfdirect.assessment"
    label = "assessment"
    verbose_name = "Assessment: questionnaires, answers and eligibility"

    def ready(self) -> None:
        from selfdirect.core import registry

        from . import access, views  # noqa: F401 - access registers the assessments' scope

        registry.home_section(views.home_section, order=25)
