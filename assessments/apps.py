from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        # Registers gates, the vendor panel, reminders and the vendor register's columns.
        from . import gates, panels, registers, services  # noqa: F401
