"""The Django admin: the operators' back door for looking, open to superusers only.

Every domain record is read-only here: each state change must go through the services, which apply the
legal gates and write one history version with its reason. Superusers edit users and groups in the admin
(django.contrib.auth's own pages); everything of ours they only read.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import HistoryAlert, HistoryVerification, RegisterExport, ReminderLog, UserProfile


def _superusers_only(request) -> bool:
    # Replaces AdminSite.has_permission (is_active and is_staff): staff status alone no longer opens the
    # admin. Set here, at import by admin.autodiscover(), rather than with a custom AdminSite, so that
    # settings and urls keep using django.contrib.admin's default site.
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only
admin.site.site_header = _("Vendor Register administration")
admin.site.site_title = _("Vendor Register admin")


def all_field_names(model) -> list[str]:
    """The model's own fields and M2M fields in declaration order, computed ones included."""
    opts = model._meta
    return [field.name for field in (*opts.fields, *opts.many_to_many) if not field.auto_created]


class ReadOnlyMixin:
    """Nothing can be added, changed or deleted; every field is shown, also those the forms never edit
    (risk tier, stored decision dates, retention dates, snapshots)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or all_field_names(self.model)


class ReadOnlyHistoryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Admin pages for looking only: every change goes through the services, which apply the rules."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves ("reverts to") the shown version on any POST, whatever the revert setting.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """For the rows that carry no history (outbox rows, per-user settings)."""


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    """A read-only inline; give `fields`, and in `select_related` the relations its rows show."""

    extra = 0
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.select_related) if self.select_related else queryset


@admin.register(UserProfile)
class UserProfileAdmin(ReadOnlyAdmin):
    list_display = ("user", "language", "daily_digest")
    list_filter = ("language", "daily_digest")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user",)


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "deadline",
        "threshold",
        "recipient",
        "subject_type",
        "subject_id",
        "created_at",
        "sent_at",
        "attempts",
    )
    list_filter = (
        "kind",
        ("sent_at", admin.EmptyFieldListFilter),
        "via_digest",
        ("subject_type", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("kind", "recipient__username", "recipient__email", "message", "last_error")
    list_select_related = ("recipient", "subject_type")
    date_hierarchy = "created_at"


@admin.register(RegisterExport)
class RegisterExportAdmin(ReadOnlyAdmin):
    list_display = (
        "register_name",
        "user",
        "status",
        "rows_written",
        "rows_total",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "register_name")
    search_fields = ("register_name", "user__username", "path", "query", "error")
    list_select_related = ("user",)
    date_hierarchy = "created_at"


@admin.register(HistoryVerification)
class HistoryVerificationAdmin(ReadOnlyAdmin):
    list_display = ("finished_at", "problem_count", "rows_checked", "started_at")
    date_hierarchy = "finished_at"


@admin.register(HistoryAlert)
class HistoryAlertAdmin(ReadOnlyAdmin):
    list_display = ("key", "verification", "created_at")
    search_fields = ("key",)
    list_select_related = ("verification",)
