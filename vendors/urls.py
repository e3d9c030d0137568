from django.urls import path

from core.urls import reference_urls
from core.views import HistoryView, export_view

from . import views
from .filters import DataCategoryFilterSet, PurposeFilterSet
from .forms import DataCategoryForm, PurposeForm
from .models import Contact, DataCategory, Purpose, Vendor

app_name = "vendors"


urlpatterns = [
    path("", views.VendorListView.as_view(), name="list"),
    path("export.xlsx", export_view(views.VendorListView).as_view(), name="export"),
    path("new/", views.VendorCreateView.as_view(), name="create"),
    path("import/", views.VendorImportView.as_view(), name="import"),
    path("import/template.xlsx", views.VendorImportTemplateView.as_view(), name="import_template"),
    path("<int:pk>/", views.VendorDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.VendorUpdateView.as_view(), name="edit"),
    path("<int:pk>/status/", views.VendorStatusView.as_view(), name="status"),
    path("<int:pk>/delete/", views.VendorDeleteView.as_view(), name="delete"),
    path("<int:pk>/history/", HistoryView.as_view(model=Vendor), name="history"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact_delete"),
    path("contacts/<int:pk>/history/", HistoryView.as_view(model=Contact), name="contact_history"),
    *reference_urls(
        namespace=app_name,
        model=DataCategory,
        prefix="data-categories",
        name="datacategory",
        form=DataCategoryForm,
        filterset=DataCategoryFilterSet,
        columns=("code", "name_en", "name_ja", "is_special_care", "is_active"),
    ),
    *reference_urls(
        namespace=app_name,
        model=Purpose,
        prefix="purposes",
        name="purpose",
        form=PurposeForm,
        filterset=PurposeFilterSet,
        columns=("code", "name_en", "name_ja", "is_active"),
    ),
]
