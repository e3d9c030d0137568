from django.urls import path

from core.urls import reference_urls
from core.views import HistoryView, ProtectedFileView, export_view

from . import views
from .filters import ClauseFilterSet
from .forms import ClauseForm
from .models import Clause, ProtectionContract, ReentrustmentConsent

app_name = "contracts"

urlpatterns = [
    path("", views.ContractListView.as_view(), name="list"),
    path("export.xlsx", export_view(views.ContractListView).as_view(), name="export"),
    path("new/", views.ContractCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ContractUpdateView.as_view(), name="edit"),
    path("<int:pk>/activate/", views.ContractActivateView.as_view(), name="activate"),
    path("<int:pk>/terminate/", views.ContractTerminateView.as_view(), name="terminate"),
    path("<int:pk>/renew/", views.ContractRenewView.as_view(), name="renew"),
    path("<int:pk>/document/", ProtectedFileView.as_view(model=ProtectionContract), name="document"),
    path("<int:pk>/history/", HistoryView.as_view(model=ProtectionContract), name="history"),
    path("consents/new/", views.ConsentCreateView.as_view(), name="consent_create"),
    path("consents/<int:pk>/", views.ConsentDetailView.as_view(), name="consent_detail"),
    path("consents/<int:pk>/edit/", views.ConsentUpdateView.as_view(), name="consent_edit"),
    path(
        "consents/<int:pk>/document/",
        ProtectedFileView.as_view(model=ReentrustmentConsent),
        name="consent_document",
    ),
    path(
        "consents/<int:pk>/history/", HistoryView.as_view(model=ReentrustmentConsent), name="consent_history"
    ),
    *reference_urls(
        namespace=app_name,
        model=Clause,
        prefix="clauses",
        name="clause",
        form=ClauseForm,
        filterset=ClauseFilterSet,
        columns=("code", "title_en", "title_ja", "required_for", "obligation", "is_active"),
    ),
]
