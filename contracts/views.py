from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import DetailView, FormView
from django.views.generic.edit import CreateView, UpdateView
from django_filters.views import FilterView

from core.models import ReminderLog
from core.roles import COMPLIANCE, PROCUREMENT, RoleRequiredMixin, has_role
from core.views import ServiceFormMixin, add_service_errors

from . import services
from .filters import ProtectionContractFilterSet
from .forms import ConfirmForm, ContractForm, ReasonRequiredForm, ReentrustmentConsentForm
from .models import Clause, ProtectionContract, ReentrustmentConsent, missing_clause_counts
from .registers import contract_register

EDITORS = (PROCUREMENT, COMPLIANCE)


class ContractListView(RoleRequiredMixin, FilterView):
    filterset_class = ProtectionContractFilterSet
    template_name = "contracts/contract_list.html"
    paginate_by = 50
    export_url_name = "contracts:export"
    register_name = "contracts"
    register = staticmethod(contract_register)
    queryset = ProtectionContract.objects.select_related("vendor", "owner").order_by(
        F("decision_on").asc(nulls_last=True), "reference"
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        missing = missing_clause_counts(context["object_list"])
        for contract in context["object_list"]:
            contract.missing_count = missing[contract.pk]
        return context


class ContractDetailView(RoleRequiredMixin, DetailView):
    queryset = ProtectionContract.objects.select_related("vendor", "owner", "renews").prefetch_related(
        "clauses"
    )
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        present = {c.pk for c in contract.clauses.all()}
        successors = list(contract.successors.order_by("-starts_on"))
        clauses = Clause.objects.filter(is_active=True) | Clause.objects.filter(pk__in=present)
        context.update(
            checklist=[
                (clause, clause.pk in present, contract.kind in clause.required_for)
                for clause in clauses.distinct().order_by("code")
            ],
            missing=contract.missing_clauses,
            activation_blockers=services.contract_activation_blockers(contract)
            if contract.status == ProtectionContract.Status.DRAFT
            else [],
            successors=successors,
            renewal_in_progress=any(s.status == ProtectionContract.Status.DRAFT for s in successors),
            reminders=ReminderLog.objects.filter(
                subject_type__model="protectioncontract",
                subject_type__app_label="contracts",
                subject_id=contract.pk,
            )
            .select_related("recipient")
            .order_by("-created_at")[:50],
            can_edit=has_role(self.request.user, *EDITORS) and contract.status in services.EDITABLE_STATUSES,
            can_act=has_role(self.request.user, *EDITORS),
        )
        return context


class ContractEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = EDITORS
    form_class = ContractForm
    model = ProtectionContract
    template_name = "contracts/contract_form.html"

    def perform(self, form):
        return services.contract_save(
            contract=form.instance,
            user=self.request.user,
            clauses=form.cleaned_data["clauses"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class ContractCreateView(ContractEditMixin, CreateView):
    success_message = _("Contract “%(object)s” saved as a draft.")

    def get_initial(self):
        initial = super().get_initial()
        vendor = self.request.GET.get("vendor")
        if vendor and vendor.isdigit():
            initial["vendor"] = vendor
        if has_role(self.request.user, PROCUREMENT) and not self.request.user.is_superuser:
            initial["owner"] = self.request.user.pk
        return initial


class ContractUpdateView(ContractEditMixin, UpdateView):
    success_message = _("Contract “%(object)s” saved.")


class ContractActionView(RoleRequiredMixin, FormView):
    """A POST that calls one contract service; refusals are shown on the confirmation page."""

    roles = EDITORS
    template_name = "contracts/contract_action.html"
    form_class = ReasonRequiredForm
    title = ""
    button = ""
    done_message = ""

    def dispatch(self, request, *args, **kwargs):
        self.contract = get_object_or_404(
            ProtectionContract.objects.select_related("vendor"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contract=self.contract, title=self.title, button=self.button, blockers=self.blockers(), **kwargs
        )

    def blockers(self):
        return []

    def form_valid(self, form):
        try:
            result = self.act(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message % {"ref": result.reference})
        return redirect(result)


class ContractActivateView(ContractActionView):
    form_class = ConfirmForm
    title = _("Activate contract")
    button = _("Activate")
    done_message = _("Contract %(ref)s is active.")

    def blockers(self):
        return services.contract_activation_blockers(self.contract)

    def act(self, form):
        return services.contract_activate(contract=self.contract, user=self.request.user)


class ContractTerminateView(ContractActionView):
    title = _("Terminate contract")
    button = pgettext_lazy("contract action", "Terminate")
    done_message = _("Contract %(ref)s is terminated.")

    def act(self, form):
        return services.contract_terminate(
            contract=self.contract, user=self.request.user, reason=form.cleaned_data["reason"]
        )


class ContractRenewView(ContractActivateView):
    title = _("Renew contract")
    button = _("Prepare the renewal")
    done_message = _(
        "Renewal draft %(ref)s created: complete it, attach the signed document and activate it."
    )

    def blockers(self):
        return []

    def act(self, form):
        return services.contract_renew(contract=self.contract, user=self.request.user)


class ConsentEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = EDITORS
    form_class = ReentrustmentConsentForm
    model = ReentrustmentConsent
    template_name = "contracts/consent_form.html"

    def perform(self, form):
        return services.consent_save(
            consent=form.instance,
            user=self.request.user,
            data_categories=form.cleaned_data["data_categories"],
            version=form.cleaned_data["version"],
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class ConsentCreateView(ConsentEditMixin, CreateView):
    success_message = _("Consent recorded.")

    def get_initial(self):
        initial = super().get_initial()
        for name in ("parent", "subcontractor"):
            value = self.request.GET.get(name)
            if value and value.isdigit():
                initial[name] = value
        initial.setdefault("consented_by", self.request.user.pk)
        return initial


class ConsentUpdateView(ConsentEditMixin, UpdateView):
    success_message = _("Consent saved.")


class ConsentDetailView(RoleRequiredMixin, DetailView):
    queryset = ReentrustmentConsent.objects.select_related("parent", "subcontractor", "consented_by")
    template_name = "contracts/consent_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_edit=has_role(self.request.user, *EDITORS), **kwargs)
