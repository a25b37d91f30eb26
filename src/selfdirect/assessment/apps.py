from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "selfdirect.assessment"
    label = "assessment"
    verbose_name = "Assessment: questionnaires, answers and eligibility"

    def ready(self) -> None:
        from selfdirect.core import registry

        from . import access, views  # noqa: F401 - access registers the assessments' scope

        registry.home_section(views.home_section, order=25)
        registry.home_section(views.sent_in_section, order=15)
        registry.person_section(views.person_section, order=10)
