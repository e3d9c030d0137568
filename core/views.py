from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Model, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View, i18n
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.edit import CreateView, UpdateView
from django_filters.views import FilterView

from .audit import AuditFilterSet, audit_register, audit_rows, audited_models
from .audit import entries as audit_entries
from .downloads import attachment, upload_download
from .edit_tokens import forget_opened, opened_version, remember_opened, token_key
from .excel import RegisterFile, column, register_response, stream
from .exports import ExportRefused, export_queue, export_view_for
from .filters import NotificationFilterSet
from .forms import ProfileForm, VersionedFormMixin
from .history import EditConflict, historical_model, save_with_history, versions
from .models import RegisterExport, ReminderLog, UserProfile
from .pagination import UncountedPaginator
from .roles import AUDIT_ROLES, COMPLIANCE, RoleRequiredMixin, has_role
from .services import profile_save
from .validators import sniff_upload_type


def choice_rank(field: str, choices) -> Case:
    """Sort key in the order the choices are declared (draft before approved, high before low)."""
    return Case(
        *(When(**{field: value}, then=Value(rank)) for rank, value in enumerate(choices.values)),
        default=Value(len(choices.values)),
        output_field=IntegerField(),
    )


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to a field when it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceFormMixin:
    """form_valid() calls `perform(form)` (one service call); refusals are shown on the form.

    An edit form with an edit token (VersionedFormMixin) also has it remembered in the session when it is
    opened, for a post that comes without it (core.edit_tokens).
    """

    success_message = ""

    def perform(self, form):
        raise NotImplementedError

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if isinstance(form, VersionedFormMixin) and form.instance.pk:
            key = token_key(form.instance)
            if form.is_bound:
                form.opened_version = opened_version(self.request.session, key)
            else:
                remember_opened(self.request.session, key, form.initial["version"])
        return form

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as error:
            add_service_errors(form, error)
            if isinstance(error, EditConflict):  # as the re-shown form's token: saving again overwrites
                remember_opened(self.request.session, token_key(form.instance), error.version)
            return self.form_invalid(form)
        if isinstance(form, VersionedFormMixin) and form.instance.pk:
            forget_opened(self.request.session, token_key(form.instance))
        if self.success_message:
            messages.success(self.request, self.success_message % {"object": self.object})
        return redirect(self.get_success_url())


class HistoryView(RoleRequiredMixin, DetailView):
    """The History tab of any tracked object: every version, who, when, why, and what changed."""

    template_name = "core/history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["versions"] = versions(self.object)
        context["verbose_name"] = self.object._meta.verbose_name
        return context


def filtered_queryset(view: FilterView) -> QuerySet:
    """A set-up list view's rows with the filter and order of its request, as its page applies them
    (strict: an invalid filter gives no rows). Exports and dashboard panels take their rows from here."""
    filterset = view.get_filterset(view.get_filterset_class())
    if not filterset.is_bound or filterset.is_valid() or not view.get_strict():
        return filterset.qs
    return filterset.queryset.none()


class RegisterExportMixin:
    """Put before a list view: the same rows, filter and order as an Excel register download.

    The list view names `register_name` (the file's name) and `register(queryset) -> (columns, rows)`.
    Up to EXPORT_INLINE_MAX_ROWS rows the workbook is streamed in the response; a larger one is built by a
    worker (`core.exports`, with the same two methods below) and the user is sent to its progress page.
    """

    def export_queryset(self) -> QuerySet:
        """The list's rows with its filter and order, as the list page applies them."""
        return filtered_queryset(self)

    def register_file(self, queryset: QuerySet) -> RegisterFile:
        return RegisterFile.dated(self.register_name, *self.register(queryset))

    def get(self, request, *args, **kwargs):
        queryset = self.export_queryset()
        limit = settings.EXPORT_INLINE_MAX_ROWS
        if queryset.order_by()[: limit + 1].count() > limit:  # counts at most limit + 1 rows
            export = export_queue(
                user=request.user,
                register_name=self.register_name,
                path=request.path_info,
                query=request.GET.urlencode(),
                language=translation.get_language(),
            )
            return redirect("export_status", export.pk)
        return register_response(**self.register_file(queryset)._asdict())


def export_view(list_view: type) -> type:
    """The Excel export of a list view that names its `register`: the same filter, order and rows."""
    return type(f"{list_view.__name__}Export", (RegisterExportMixin, list_view), {})


class ReferenceListView(RoleRequiredMixin, FilterView):
    """List of a reference-data model; compliance may add and edit entries."""

    template_name = "core/reference_list.html"
    paginate_by = 50
    create_url_name = ""
    export_url_name = ""
    columns: tuple[str, ...] = ("code", "name_en", "name_ja", "is_active")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context.update(
            verbose_name_plural=meta.verbose_name_plural,
            create_url_name=self.create_url_name,
            can_edit=has_role(self.request.user, COMPLIANCE),
            headers=[column_label(self.model, name) for name in self.columns],
        )
        return context


class ReferenceExportView(RegisterExportMixin, ReferenceListView):
    register_name = "reference-data"

    def register(self, queryset):
        columns = [
            column(
                column_label(self.model, name),
                f"get_{name}_display" if hasattr(self.model, f"get_{name}_display") else name,
                24,
            )
            for name in self.columns
        ]
        return columns, stream(queryset)


class ReferenceDetailView(RoleRequiredMixin, DetailView):
    template_name = "core/reference_detail.html"
    edit_url_name = ""
    derived: tuple[str, ...] = ()  # properties shown after the fields

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = has_role(self.request.user, COMPLIANCE)
        context["edit_url_name"] = self.edit_url_name
        context["fields"] = [
            (field.verbose_name, _field_display(self.object, field))
            for field in self.object._meta.get_fields()
            if field.concrete and not field.auto_created and not field.primary_key
        ] + [(column_label(self.model, name), getattr(self.object, name)) for name in self.derived]
        return context


def column_label(model, name: str) -> str:
    """A field's verbose name, or a property's `short_description`."""
    try:
        return model._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        attribute = getattr(model, name)
        attribute = getattr(attribute, "fget", attribute)  # a property's label is set on its getter
        return getattr(attribute, "short_description", name.replace("_", " "))


def _field_display(obj: Model, field) -> str:
    if field.many_to_many:
        return ", ".join(str(o) for o in getattr(obj, field.name).all()) or "—"
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.name)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value) if value not in (None, "") else "—"


class ReferenceEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = (COMPLIANCE,)
    template_name = "core/reference_form.html"
    list_url_name = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            verbose_name=self.model._meta.verbose_name, list_url=reverse(self.list_url_name), **kwargs
        )

    def perform(self, form):
        m2m = {name: form.cleaned_data[name] for name in form.cleaned_data if name in _m2m_names(form)}
        version = form.cleaned_data.get("version")  # forms with VersionedFormMixin refuse lost updates
        return save_with_history(form.instance, user=self.request.user, m2m=m2m, version=version)

    def get_success_url(self):
        return self.object.get_absolute_url()


def _m2m_names(form) -> set[str]:
    return {f.name for f in form._meta.model._meta.many_to_many if f.name in form.fields}


class ReferenceCreateView(ReferenceEditMixin, CreateView):
    pass


class ReferenceUpdateView(ReferenceEditMixin, UpdateView):
    pass


@login_not_required
def set_language(request):
    """Django's set_language, remembering the choice of a signed-in user for the emails they receive."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        UserProfile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


class ProtectedFileView(RoleRequiredMixin, DetailView):
    """Serves an uploaded file only to signed-in users with a role, always as a download."""

    file_field = "document"

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        file = getattr(obj, self.file_field)
        if not file:
            raise Http404
        handle = file.open("rb")
        return upload_download(handle, file.name.rsplit("/", 1)[-1], sniff_upload_type(handle))


class ServiceActionView(RoleRequiredMixin, SingleObjectMixin, View):
    """A button: POST calls one service; success and refusals come back as messages on the object's page."""

    http_method_names = ["post"]
    success_message = ""

    def act(self, obj):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            result = self.act(obj)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(obj)
        if self.success_message:
            messages.success(request, self.success_message)
        return redirect(result or obj)


class NotificationListView(RoleRequiredMixin, FilterView):
    """The reminders sent to the signed-in user (or waiting for their digest), newest first."""

    filterset_class = NotificationFilterSet
    template_name = "core/notifications.html"
    paginate_by = 50

    def get_queryset(self):
        return ReminderLog.objects.filter(recipient=self.request.user).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, profile=self.request.user.profile)


class ProfileView(RoleRequiredMixin, ServiceFormMixin, UpdateView):
    """The signed-in user's own settings: email language and daily digest."""

    form_class = ProfileForm
    template_name = "core/profile_form.html"
    success_message = gettext_lazy("Your settings are saved.")

    def get_object(self, queryset=None):
        return UserProfile.objects.get_or_create(user=self.request.user)[0]

    def perform(self, form):
        return profile_save(profile=form.instance, user=self.request.user)

    def get_success_url(self):
        return reverse("profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The pages follow the language chosen for the emails, as the header switch does.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, self.object.language)
        return response


class AuditMixin(RoleRequiredMixin):
    roles = AUDIT_ROLES

    def audit_filterset(self) -> AuditFilterSet:
        historical = historical_model(next(iter(audited_models().values())))
        return AuditFilterSet(self.request.GET or None, queryset=historical.objects.none())


class AuditTrailView(AuditMixin, ListView):
    """Every change of every record, newest first, with who, when, why and what changed."""

    template_name = "core/audit.html"
    paginate_by = 50
    paginator_class = UncountedPaginator  # no COUNT(*) over millions of versions per page
    export_url_name = "audit_export"

    def get_queryset(self):
        self.filterset = self.audit_filterset()
        return audit_rows(self.filterset)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(filter=self.filterset, **kwargs)
        context["entries"] = audit_entries(context["object_list"])
        return context


class AuditExportView(AuditMixin, View):
    def get(self, request, *args, **kwargs):
        register = RegisterFile.dated("audit-trail", *audit_register(audit_rows(self.audit_filterset())))
        return register_response(**register._asdict())


class RegisterExportAccessMixin(RoleRequiredMixin):
    """A background export is seen by the user who asked for it, and by superusers; others get 404."""

    def get_queryset(self):
        exports = RegisterExport.objects.all()
        return exports if self.request.user.is_superuser else exports.filter(user=self.request.user)


class RegisterExportStatusView(RegisterExportAccessMixin, DetailView):
    """A background export's progress; reloads itself (a meta refresh, no script) until it is finished."""

    template_name = "core/export_status.html"
    context_object_name = "export"


class RegisterExportDownloadView(RegisterExportAccessMixin, DetailView):
    """The finished workbook as a download, if the user may still open the list it comes from."""

    def get(self, request, *args, **kwargs):
        export = self.get_object()
        if export.status != RegisterExport.Status.DONE or not export.file:
            raise Http404
        try:
            export_view_for(export, request.user)
        except ExportRefused:
            raise PermissionDenied from None
        try:
            file = export.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return attachment(file, export.filename)
