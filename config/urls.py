from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.views import (
    AuditExportView,
    AuditTrailView,
    NotificationListView,
    ProfileView,
    RegisterExportDownloadView,
    RegisterExportStatusView,
    set_language,
)
from dashboard.views import DashboardView

urlpatterns = [
    path("", DashboardView.as_view(), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("audit/", AuditTrailView.as_view(), name="audit"),
    path("audit/export.xlsx", AuditExportView.as_view(), name="audit_export"),
    path("notifications/", NotificationListView.as_view(), name="notifications"),
    path("exports/<int:pk>/", RegisterExportStatusView.as_view(), name="export_status"),
    path("exports/<int:pk>/download/", RegisterExportDownloadView.as_view(), name="export_download"),
    path("settings/", ProfileView.as_view(), name="profile"),
    path("vendors/", include("vendors.urls")),
    path("contracts/", include("contracts.urls")),
    path("assessments/", include("assessments.urls")),
    path("transfers/", include("transfers.urls")),
    path("admin/", admin.site.urls),
]
