from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = _("Foreign transfers and joint use")

    def ready(self):
        from . import gates, panels, services  # noqa: F401  registers gates, the vendor panel, reminders
