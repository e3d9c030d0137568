from django.utils import timezone
from django.views.generic import TemplateView

from core.roles import RoleRequiredMixin

from .charts import charts
from .panels import panels_for


class DashboardView(RoleRequiredMixin, TemplateView):
    """What needs the signed-in person today (by role), and the register at a glance (for everyone)."""

    template_name = "dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sections=panels_for(self.request), charts=charts(timezone.localdate()), **kwargs
        )
