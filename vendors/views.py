from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView
from django.views.generic.edit import CreateView, UpdateView
from django_filters.views import FilterView

from core.downloads import XLSX, attachment
from core.roles import COMPLIANCE, PROCUREMENT, RoleRequiredMixin, has_role
from core.views import ServiceFormMixin, add_service_errors, choice_rank

from . import services
from .filters import VendorFilterSet
from .forms import ContactForm, ReasonForm, VendorForm, VendorImportForm, VendorStatusForm
from .importing import VendorImportInvalid, import_template_workbook, vendor_import
from .models import Contact, Vendor, vendor_subtree
from .panels import rendered_panels, vendor_warnings
from .registers import vendor_register


class VendorListView(RoleRequiredMixin, FilterView):
    filterset_class = VendorFilterSet
    template_name = "vendors/vendor_list.html"
    paginate_by = 50
    export_url_name = "vendors:export"
    register_name = "vendors"
    register = staticmethod(vendor_register)
    queryset = (
        Vendor.objects.select_related("owner", "parent")
        # As plain lists: a related manager and a queryset per row cost more than the rows' own rendering.
        .prefetch_related(Prefetch("data_categories", to_attr="category_list"))
        .annotate(
            # A correlated count, worked out for the page's rows only (an aggregate would group the
            # whole filtered register, and make the paginator's count do the same).
            subcontractor_count=Coalesce(
                Subquery(
                    Vendor.objects.filter(parent=OuterRef("pk"))
                    .order_by()
                    .values("parent")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            status_rank=choice_rank("status", Vendor.Status),
            risk_rank=choice_rank("risk_tier", Vendor.RiskTier),
        )
        .order_by("name", "pk")
    )


class VendorDetailView(RoleRequiredMixin, DetailView):
    queryset = Vendor.objects.select_related("owner", "parent").prefetch_related(
        "data_categories", "purposes", "contacts"
    )
    template_name = "vendors/vendor_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        vendor = self.object
        user = self.request.user
        context.update(
            chain=list(reversed(vendor.ancestors())),
            subtree=vendor_subtree(vendor),
            risk_reasons=services.vendor_risk_tier(vendor)[1],
            approval_blockers=services.vendor_approval_blockers(vendor),
            next_steps=services.vendor_next_steps(vendor, user),
            panels=rendered_panels(vendor, user),
            warnings=vendor_warnings(vendor),
            can_edit=has_role(user, PROCUREMENT),
            can_delete=has_role(user, PROCUREMENT) and not vendor.deletion_blockers(),
            can_change_status=has_role(user, PROCUREMENT, COMPLIANCE),
        )
        return context


class VendorEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = (PROCUREMENT,)
    form_class = VendorForm
    template_name = "vendors/vendor_form.html"
    model = Vendor

    def perform(self, form):
        return services.vendor_save(
            vendor=form.instance,
            user=self.request.user,
            data_categories=form.cleaned_data["data_categories"],
            purposes=form.cleaned_data["purposes"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class VendorCreateView(VendorEditMixin, CreateView):
    success_message = _("Vendor “%(object)s” created as a draft.")

    def get_initial(self):
        initial = super().get_initial()
        parent = self.request.GET.get("parent")
        if parent and parent.isdigit():
            initial.update(parent=parent, kind=Vendor.Kind.SUBCONTRACTOR)
        if has_role(self.request.user, PROCUREMENT) and not self.request.user.is_superuser:
            initial["owner"] = self.request.user.pk
        return initial


class VendorUpdateView(VendorEditMixin, UpdateView):
    success_message = _("Vendor “%(object)s” saved.")


class VendorStatusView(RoleRequiredMixin, FormView):
    roles = (PROCUREMENT, COMPLIANCE)
    form_class = VendorStatusForm
    template_name = "vendors/vendor_status.html"

    def dispatch(self, request, *args, **kwargs):
        self.vendor = get_object_or_404(Vendor.objects.select_related("parent"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_next_steps(self):
        return services.vendor_next_steps(self.vendor, self.request.user)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["next_steps"] = self.get_next_steps()
        target = self.request.GET.get("status")
        if target:
            kwargs.setdefault("initial", {})["status"] = target
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(vendor=self.vendor, next_steps=self.get_next_steps(), **kwargs)

    def form_valid(self, form):
        try:
            services.vendor_change_status(
                vendor=self.vendor,
                status=form.cleaned_data["status"],
                user=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("“%(name)s” is now %(status)s.")
            % {"name": self.vendor, "status": self.vendor.get_status_display()},
        )
        return redirect(self.vendor)


class VendorDeleteView(RoleRequiredMixin, FormView):
    roles = (PROCUREMENT,)
    form_class = ReasonForm
    template_name = "vendors/vendor_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        self.vendor = get_object_or_404(Vendor, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            vendor=self.vendor, blockers=self.vendor.deletion_blockers(), **kwargs
        )

    def form_valid(self, form):
        try:
            services.vendor_delete(
                vendor=self.vendor, user=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Vendor “%(name)s” deleted.") % {"name": self.vendor})
        return redirect("vendors:list")


class ContactEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = (PROCUREMENT,)
    form_class = ContactForm
    model = Contact
    template_name = "vendors/contact_form.html"

    def perform(self, form):
        return services.contact_save(
            contact=form.instance, user=self.request.user, version=form.cleaned_data["version"]
        )

    def get_success_url(self):
        return reverse("vendors:detail", args=[self.object.vendor_id]) + "#contacts"


class ContactCreateView(ContactEditMixin, CreateView):
    def dispatch(self, request, *args, **kwargs):
        self.vendor = get_object_or_404(Vendor, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Contact(vendor=self.vendor)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(vendor=self.vendor, **kwargs)


class ContactUpdateView(ContactEditMixin, UpdateView):
    queryset = Contact.objects.select_related("vendor")

    def get_context_data(self, **kwargs):
        return super().get_context_data(vendor=self.object.vendor, **kwargs)


class ContactDeleteView(RoleRequiredMixin, FormView):
    roles = (PROCUREMENT,)
    form_class = ReasonForm
    template_name = "vendors/contact_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        self.contact = get_object_or_404(Contact.objects.select_related("vendor"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, vendor=self.contact.vendor, **kwargs)

    def form_valid(self, form):
        vendor = self.contact.vendor
        services.contact_delete(
            contact=self.contact, user=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("Contact “%(name)s” removed.") % {"name": self.contact})
        return redirect(reverse("vendors:detail", args=[vendor.pk]) + "#contacts")


class VendorImportView(RoleRequiredMixin, FormView):
    """Bulk onboarding: upload the filled-in template; every row is checked before any vendor is saved."""

    roles = (PROCUREMENT,)
    form_class = VendorImportForm
    template_name = "vendors/vendor_import.html"

    def form_valid(self, form):
        try:
            result = vendor_import(
                file=form.cleaned_data["file"],
                user=self.request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except VendorImportInvalid as error:
            return self.render_to_response(
                self.get_context_data(form=self.next_form(form), problems=error.problems)
            )
        if result.dry_run:
            return self.render_to_response(self.get_context_data(form=self.next_form(form), result=result))
        messages.success(
            self.request,
            ngettext(
                "%(count)d vendor imported from %(file)s as a draft.",
                "%(count)d vendors imported from %(file)s as drafts.",
                result.count,
            )
            % {"count": result.count, "file": result.filename},
        )
        return redirect(f"{reverse('vendors:list')}?status={Vendor.Status.DRAFT}")

    def next_form(self, form):
        """The form for the next upload: a browser cannot keep the chosen file, so the field must not look
        accepted; the dry-run choice is kept."""
        return self.form_class(initial={"dry_run": form.cleaned_data["dry_run"]})


class VendorImportTemplateView(RoleRequiredMixin, View):
    roles = VendorImportView.roles

    def get(self, request, *args, **kwargs):
        return attachment(import_template_workbook(), "vendor-import-template.xlsx", content_type=XLSX)
