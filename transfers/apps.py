from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = _("Foreign transfers and joint use")

    def ready(self):
        # Registers gates, the vendor panel, reminders and the vendor register's columns.
        from . import gates, panels, registers, services  # noqa: F401
