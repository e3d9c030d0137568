from django.urls import path

from core.views import HistoryView, ReferenceCreateView, ReferenceDetailView, ReferenceListView, ReferenceUpdateView

from . import views
from .filters import DataCategoryFilterSet, PurposeFilterSet
from .forms import DataCategoryForm, PurposeForm
from .models import Contact, DataCategory, Purpose, Vendor

app_name = "vendors"


def reference_urls(model, prefix, name, form, filterset, columns):
    return [
        path(f"{prefix}/", ReferenceListView.as_view(
            model=model, filterset_class=filterset, create_url_name=f"vendors:{name}_create", columns=columns,
        ), name=f"{name}_list"),
        path(f"{prefix}/new/", ReferenceCreateView.as_view(
            model=model, form_class=form, list_url_name=f"vendors:{name}_list"), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", ReferenceDetailView.as_view(
            model=model, edit_url_name=f"vendors:{name}_edit"), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", ReferenceUpdateView.as_view(
            model=model, form_class=form, list_url_name=f"vendors:{name}_list"), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/history/", HistoryView.as_view(model=model), name=f"{name}_history"),
    ]


urlpatterns = [
    path("", views.VendorListView.as_view(), name="list"),
    path("new/", views.VendorCreateView.as_view(), name="create"),
    path("<int:pk>/", views.VendorDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.VendorUpdateView.as_view(), name="edit"),
    path("<int:pk>/status/", views.VendorStatusView.as_view(), name="status"),
    path("<int:pk>/delete/", views.VendorDeleteView.as_view(), name="delete"),
    path("<int:pk>/history/", HistoryView.as_view(model=Vendor), name="history"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact_delete"),
    path("contacts/<int:pk>/history/", HistoryView.as_view(model=Contact), name="contact_history"),
    *reference_urls(DataCategory, "data-categories", "datacategory", DataCategoryForm, DataCategoryFilterSet,
                    ("code", "name_en", "name_ja", "is_special_care", "is_active")),
    *reference_urls(Purpose, "purposes", "purpose", PurposeForm, PurposeFilterSet,
                    ("code", "name_en", "name_ja", "is_active")),
]
