from django.urls import path

from core.urls import reference_urls
from core.views import HistoryView, ProtectedFileView, export_view

from . import views
from .filters import CountryFilterSet
from .forms import CountryForm
from .models import (
    ConsentRecord,
    Country,
    ForeignTransfer,
    JointUseArrangement,
    PeriodicCheck,
    ProvisionRecord,
)

app_name = "transfers"

urlpatterns = [
    path("", views.TransferListView.as_view(), name="list"),
    path("export.xlsx", export_view(views.TransferListView).as_view(), name="export"),
    path("new/", views.TransferCreateView.as_view(), name="create"),
    path("<int:pk>/", views.TransferDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.TransferUpdateView.as_view(), name="edit"),
    path("<int:pk>/activate/", views.TransferActivateView.as_view(), name="activate"),
    path("<int:pk>/status/", views.TransferStatusView.as_view(), name="status"),
    path("<int:pk>/checks/new/", views.PeriodicCheckCreateView.as_view(), name="check_create"),
    path("<int:pk>/consents/new/", views.ConsentRecordCreateView.as_view(), name="consent_create"),
    path("<int:pk>/disclosure/", views.DisclosureView.as_view(), name="disclosure"),
    path(
        "<int:pk>/basis-document/",
        ProtectedFileView.as_view(model=ForeignTransfer, file_field="basis_document"),
        name="basis_document",
    ),
    path("<int:pk>/history/", HistoryView.as_view(model=ForeignTransfer), name="history"),
    path("checks/<int:pk>/history/", HistoryView.as_view(model=PeriodicCheck), name="check_history"),
    path(
        "consents/<int:pk>/evidence/",
        ProtectedFileView.as_view(model=ConsentRecord, file_field="evidence"),
        name="consent_evidence",
    ),
    path("consents/<int:pk>/history/", HistoryView.as_view(model=ConsentRecord), name="consent_history"),
    path("joint-use/", views.JointUseListView.as_view(), name="joint_use_list"),
    path("joint-use/export.xlsx", export_view(views.JointUseListView).as_view(), name="joint_use_export"),
    path("joint-use/new/", views.JointUseCreateView.as_view(), name="joint_use_create"),
    path("joint-use/<int:pk>/", views.JointUseDetailView.as_view(), name="joint_use_detail"),
    path("joint-use/<int:pk>/edit/", views.JointUseUpdateView.as_view(), name="joint_use_edit"),
    path("joint-use/<int:pk>/publish/", views.JointUsePublishView.as_view(), name="joint_use_publish"),
    path("joint-use/<int:pk>/revise/", views.JointUseReviseView.as_view(), name="joint_use_revise"),
    path(
        "joint-use/<int:pk>/history/",
        HistoryView.as_view(model=JointUseArrangement),
        name="joint_use_history",
    ),
    path("records/", views.ProvisionRecordListView.as_view(), name="record_list"),
    path("records/export.xlsx", export_view(views.ProvisionRecordListView).as_view(), name="record_export"),
    path("records/new/", views.ProvisionRecordCreateView.as_view(), name="record_create"),
    path("records/<int:pk>/", views.ProvisionRecordDetailView.as_view(), name="record_detail"),
    path("records/<int:pk>/delete/", views.ProvisionRecordDeleteView.as_view(), name="record_delete"),
    path("records/<int:pk>/history/", HistoryView.as_view(model=ProvisionRecord), name="record_history"),
    *reference_urls(
        namespace=app_name,
        model=Country,
        prefix="countries",
        name="country",
        form=CountryForm,
        filterset=CountryFilterSet,
        columns=(
            "code",
            "name_en",
            "name_ja",
            "ppc_equivalent",
            "information_reviewed_on",
            "information_status",
        ),
        derived=("information_status",),
    ),
]
