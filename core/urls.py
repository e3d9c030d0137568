from django.urls import path

from .views import (
    HistoryView,
    ReferenceCreateView,
    ReferenceDetailView,
    ReferenceExportView,
    ReferenceListView,
    ReferenceUpdateView,
)


def reference_urls(*, namespace, model, prefix, name, form, filterset, columns, derived=()):
    """List, detail, create, edit and history pages of one reference-data model."""
    list_name = f"{namespace}:{name}_list"
    return [
        path(
            f"{prefix}/",
            ReferenceListView.as_view(
                model=model,
                filterset_class=filterset,
                create_url_name=f"{namespace}:{name}_create",
                export_url_name=f"{namespace}:{name}_export",
                columns=columns,
            ),
            name=f"{name}_list",
        ),
        path(
            f"{prefix}/export.xlsx",
            ReferenceExportView.as_view(
                model=model, filterset_class=filterset, columns=columns, register_name=prefix
            ),
            name=f"{name}_export",
        ),
        path(
            f"{prefix}/new/",
            ReferenceCreateView.as_view(model=model, form_class=form, list_url_name=list_name),
            name=f"{name}_create",
        ),
        path(
            f"{prefix}/<int:pk>/",
            ReferenceDetailView.as_view(
                model=model, edit_url_name=f"{namespace}:{name}_edit", derived=derived
            ),
            name=f"{name}_detail",
        ),
        path(
            f"{prefix}/<int:pk>/edit/",
            ReferenceUpdateView.as_view(model=model, form_class=form, list_url_name=list_name),
            name=f"{name}_edit",
        ),
        path(f"{prefix}/<int:pk>/history/", HistoryView.as_view(model=model), name=f"{name}_history"),
    ]
