from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView
from django.views.generic.edit import CreateView, UpdateView
from django_filters.views import FilterView

from core.downloads import attachment
from core.roles import COMPLIANCE, PROCUREMENT, RoleRequiredMixin, has_role
from core.views import ServiceActionView, ServiceFormMixin, add_service_errors

from . import services
from .filters import ForeignTransferFilterSet, JointUseFilterSet, ProvisionRecordFilterSet
from .forms import (
    ConsentRecordForm,
    JointUseForm,
    JointUseReviseForm,
    PeriodicCheckForm,
    ProvisionRecordForm,
    TransferForm,
    TransferStatusForm,
)
from .models import ConsentRecord, ForeignTransfer, JointUseArrangement, PeriodicCheck, ProvisionRecord
from .registers import joint_use_register, provision_record_register, transfer_register


class TransferListView(RoleRequiredMixin, FilterView):
    filterset_class = ForeignTransferFilterSet
    template_name = "transfers/transfer_list.html"
    paginate_by = 50
    export_url_name = "transfers:export"
    register_name = "foreign-transfers"
    register = staticmethod(transfer_register)
    queryset = (
        ForeignTransfer.objects.select_related("vendor", "country")
        .prefetch_related(Prefetch("checks", queryset=PeriodicCheck.objects.order_by()), "consents")
        .annotate(record_count=Count("records", distinct=True))
        .order_by("vendor__name", "pk")
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for transfer in context["object_list"]:
            transfer.unmet = services.transfer_unmet_prerequisites(transfer)
        return context


class TransferDetailView(RoleRequiredMixin, DetailView):
    queryset = ForeignTransfer.objects.select_related("vendor", "country").prefetch_related(
        "checks__checked_by", "consents", "data_categories", "purposes"
    )
    template_name = "transfers/transfer_detail.html"
    context_object_name = "transfer"

    def get_context_data(self, **kwargs):
        transfer = self.object
        return super().get_context_data(
            unmet=services.transfer_unmet_prerequisites(transfer),
            records_warning=services.transfer_records_warning(transfer),
            next_check_due=transfer.next_check_due(),
            can_edit=has_role(self.request.user, COMPLIANCE),
            **kwargs,
        )


class TransferEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = (COMPLIANCE,)
    model = ForeignTransfer
    form_class = TransferForm
    template_name = "transfers/form.html"

    def perform(self, form):
        return services.transfer_save(
            transfer=form.instance,
            user=self.request.user,
            data_categories=form.cleaned_data["data_categories"],
            purposes=form.cleaned_data["purposes"],
            reason=form.cleaned_data["reason"],
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class TransferCreateView(TransferEditMixin, CreateView):
    def get_initial(self):
        vendor = self.request.GET.get("vendor")
        return {"vendor": vendor} if vendor and vendor.isdigit() else {}


class TransferUpdateView(TransferEditMixin, UpdateView):
    pass


class TransferActivateView(ServiceActionView):
    roles = (COMPLIANCE,)
    model = ForeignTransfer
    success_message = gettext_lazy("The transfer is active.")

    def act(self, transfer):
        return services.transfer_activate(transfer=transfer, user=self.request.user)


class TransferStatusView(RoleRequiredMixin, FormView):
    roles = (COMPLIANCE,)
    form_class = TransferStatusForm
    template_name = "transfers/form.html"

    def dispatch(self, request, *args, **kwargs):
        self.transfer = get_object_or_404(ForeignTransfer, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            parent=self.transfer, title=_("Suspend or end the transfer"), **kwargs
        )

    def form_valid(self, form):
        try:
            services.transfer_change_status(
                transfer=self.transfer, user=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(self.transfer)


class TransferChildCreateView(RoleRequiredMixin, FormView):
    """A periodic check or a consent record of one transfer."""

    roles = (COMPLIANCE,)
    template_name = "transfers/form.html"
    title = ""

    def dispatch(self, request, *args, **kwargs):
        self.transfer = get_object_or_404(ForeignTransfer.objects.select_related("country"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.transfer, title=self.title, **kwargs)

    def form_valid(self, form):
        try:
            self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect(self.transfer)


class PeriodicCheckCreateView(TransferChildCreateView):
    form_class = PeriodicCheckForm
    title = gettext_lazy("Record a periodic check")

    def save(self, form):
        services.periodic_check_record(transfer=self.transfer, user=self.request.user, **form.cleaned_data)


class ConsentRecordCreateView(TransferChildCreateView):
    form_class = ConsentRecordForm
    title = gettext_lazy("Record consent")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": ConsentRecord(transfer=self.transfer)}

    def save(self, form):
        services.consent_record_save(consent=form.instance, user=self.request.user)


class DisclosureView(RoleRequiredMixin, DetailView):
    """The seven items a person may ask for on the standard-conforming route (Rule 18(3))."""

    queryset = ForeignTransfer.objects.select_related("vendor", "country")
    template_name = "transfers/disclosure.html"
    context_object_name = "transfer"

    def get_context_data(self, **kwargs):
        checks = list(self.object.checks.order_by("-checked_on"))
        return super().get_context_data(checks=checks, latest=checks[0] if checks else None, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("download"):
            text = render_to_string("transfers/disclosure.txt", context, request=self.request)
            return attachment(
                text, f"disclosure-{self.object.pk}.txt", content_type="text/plain; charset=utf-8"
            )
        return super().render_to_response(context, **response_kwargs)


class JointUseListView(RoleRequiredMixin, FilterView):
    filterset_class = JointUseFilterSet
    template_name = "transfers/joint_use_list.html"
    export_url_name = "transfers:joint_use_export"
    register_name = "joint-use"
    register = staticmethod(joint_use_register)
    queryset = JointUseArrangement.objects.prefetch_related("joint_users").order_by("title", "-version")


class JointUseDetailView(RoleRequiredMixin, DetailView):
    queryset = JointUseArrangement.objects.select_related("previous").prefetch_related("joint_users")
    template_name = "transfers/joint_use_detail.html"
    context_object_name = "arrangement"

    def get_context_data(self, **kwargs):
        arrangement = self.object
        previous = arrangement.previous
        fields = [
            "data_items",
            "scope_description",
            "purposes",
            "responsible_party_name",
            "responsible_party_address",
            "responsible_party_representative",
            "notice_method",
            "notice_published_on",
            "effective_on",
        ]
        rows = [
            (
                JointUseArrangement._meta.get_field(f).verbose_name,
                getattr(arrangement, f),
                getattr(previous, f) if previous else None,
            )
            for f in fields
        ]
        rows.insert(
            1,
            (
                _("joint users"),
                ", ".join(str(v) for v in arrangement.joint_users.all()),
                ", ".join(str(v) for v in previous.joint_users.all()) if previous else None,
            ),
        )
        return super().get_context_data(
            rows=rows, previous=previous, can_edit=has_role(self.request.user, COMPLIANCE), **kwargs
        )


class JointUseEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = (COMPLIANCE,)
    model = JointUseArrangement
    form_class = JointUseForm
    template_name = "transfers/form.html"

    def perform(self, form):
        return services.joint_use_save(
            arrangement=form.instance, user=self.request.user, joint_users=form.cleaned_data["joint_users"]
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class JointUseCreateView(JointUseEditMixin, CreateView):
    pass


class JointUseUpdateView(JointUseEditMixin, UpdateView):
    pass


class JointUsePublishView(ServiceActionView):
    roles = (COMPLIANCE,)
    model = JointUseArrangement
    success_message = gettext_lazy("Published.")

    def act(self, arrangement):
        return services.joint_use_publish(arrangement=arrangement, user=self.request.user)


class JointUseReviseView(RoleRequiredMixin, FormView):
    roles = (COMPLIANCE,)
    form_class = JointUseReviseForm
    template_name = "transfers/form.html"

    def dispatch(self, request, *args, **kwargs):
        self.arrangement = get_object_or_404(JointUseArrangement, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":
            kwargs["instance"] = self.arrangement
            # The new version gets its own notice and effective dates, not the previous version's.
            kwargs["initial"] = {"notice_published_on": None, "effective_on": None}
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            parent=self.arrangement, title=_("Revise the published particulars"), **kwargs
        )

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        notice, effective = data.pop("notice_published_on"), data.pop("effective_on")
        basis, replaced = data.pop("change_basis"), data.pop("responsible_party_replaced")
        try:
            revision = services.joint_use_revise(
                arrangement=self.arrangement,
                user=self.request.user,
                changes={**data, "responsible_party_replaced": replaced},
                change_basis=basis,
                notice_published_on=notice,
                effective_on=effective,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if revision.notify_without_delay:
            messages.warning(
                self.request,
                _("The responsible party's details changed: notify the principals without delay."),
            )
        return redirect(revision)


class ProvisionRecordListView(RoleRequiredMixin, FilterView):
    filterset_class = ProvisionRecordFilterSet
    template_name = "transfers/record_list.html"
    paginate_by = 50
    export_url_name = "transfers:record_export"
    register_name = "provision-records"
    register = staticmethod(provision_record_register)
    queryset = ProvisionRecord.objects.select_related("transfer__vendor").order_by("-provided_on", "-pk")


class ProvisionRecordDetailView(RoleRequiredMixin, DetailView):
    queryset = ProvisionRecord.objects.select_related("transfer__vendor")
    template_name = "transfers/record_detail.html"
    context_object_name = "record"


class ProvisionRecordCreateView(RoleRequiredMixin, ServiceFormMixin, CreateView):
    roles = (PROCUREMENT, COMPLIANCE)
    model = ProvisionRecord
    form_class = ProvisionRecordForm
    template_name = "transfers/form.html"

    def perform(self, form):
        return services.provision_record_save(record=form.instance, user=self.request.user)

    def get_success_url(self):
        return self.object.get_absolute_url()


class ProvisionRecordDeleteView(ServiceActionView):
    roles = (COMPLIANCE,)
    model = ProvisionRecord

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        try:
            services.provision_record_delete(record=record, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(record)
        messages.success(request, _("Record deleted."))
        return redirect("transfers:record_list")
