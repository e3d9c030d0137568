from collections import OrderedDict

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.forms import modelformset_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView
from django.views.generic.edit import CreateView, UpdateView
from django_filters.views import FilterView

from core.downloads import XLSX, attachment
from core.edit_tokens import forget_opened, opened_version, remember_opened, token_key
from core.forms import VersionField
from core.history import EditConflict
from core.roles import COMPLIANCE, PROCUREMENT, RoleRequiredMixin, has_role
from core.views import ServiceActionView, ServiceFormMixin
from vendors.models import Vendor

from . import excel, selectors, services
from .filters import AssessmentFilterSet, CriterionFilterSet, FindingFilterSet, StandardFilterSet
from .forms import AnswerForm, CriterionForm, DecisionForm, FindingForm, StandardForm, UploadForm
from .models import Answer, Assessment, Category, Criterion, Finding, Standard
from .registers import assessment_register, finding_register, standard_register

LIST_QUERYSET = Assessment.objects.select_related("vendor", "standard", "reviewed_by", "prepared_by")


class AssessmentListView(RoleRequiredMixin, FilterView):
    filterset_class = AssessmentFilterSet
    template_name = "assessments/assessment_list.html"
    paginate_by = 50
    queryset = LIST_QUERYSET.order_by("-created_at", "-pk")
    title = gettext_lazy("Assessments")
    export_url_name = "assessments:export"
    register_name = "assessments"
    register = staticmethod(assessment_register)


class ReviewQueueView(AssessmentListView):
    """Compliance's queue: submitted assessments, oldest first."""

    queryset = LIST_QUERYSET.filter(status=Assessment.Status.SUBMITTED).order_by("submitted_at", "pk")
    export_url_name = "assessments:review_export"
    register_name = "review-queue"
    register = staticmethod(assessment_register)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Review queue"), is_queue=True, **kwargs)


class FindingListView(RoleRequiredMixin, FilterView):
    filterset_class = FindingFilterSet
    template_name = "assessments/finding_list.html"
    paginate_by = 50
    export_url_name = "assessments:finding_export"
    register_name = "findings"
    register = staticmethod(finding_register)
    queryset = Finding.objects.select_related(
        "assessment__vendor", "assessment__standard", "criterion", "owner"
    ).order_by("status", F("due_on").asc(nulls_last=True), "pk")


VENDOR_ID = forms.IntegerField(min_value=1, max_value=2**63 - 1)  # a database id, whatever was posted


class AssessmentCreateView(RoleRequiredMixin, View):
    roles = (PROCUREMENT,)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            vendor_id = VENDOR_ID.clean(request.POST.get("vendor"))
        except ValidationError as error:
            raise Http404 from error
        vendor = get_object_or_404(Vendor, pk=vendor_id)
        kind = request.POST.get("kind") or Assessment.Kind.INITIAL
        try:
            assessment = services.assessment_create(vendor=vendor, user=request.user, kind=kind)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(vendor)
        messages.success(
            request, _("Assessment prepared: answer it here or through the Excel questionnaire.")
        )
        return redirect(assessment)


def grouped_answers(answers: list[Answer], card) -> list[dict]:
    groups: OrderedDict = OrderedDict((value, []) for value in Category.values)
    for answer in answers:
        groups[answer.criterion.category].append(answer)
    return [
        {"category": Category(value).label, "answers": items, "score": card.by_category.get(value)}
        for value, items in groups.items()
        if items
    ]


class AssessmentDetailView(RoleRequiredMixin, DetailView):
    queryset = Assessment.objects.select_related(
        "vendor", "standard", "prepared_by", "submitted_by", "reviewed_by"
    )
    template_name = "assessments/assessment_detail.html"
    context_object_name = "assessment"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment, user = self.object, self.request.user
        answers = selectors.questionnaire_answers(assessment)
        card = services.assessment_score(assessment, answers)
        can_prepare = has_role(user, PROCUREMENT) and assessment.is_editable
        can_decide = has_role(user, COMPLIANCE) and assessment.status == Assessment.Status.SUBMITTED
        context.update(
            groups=grouped_answers(answers, card),
            card=card,
            answered=sum(1 for a in answers if a.response),
            total=len(answers),
            findings=assessment.findings.select_related("criterion", "owner"),
            can_prepare=can_prepare,
            can_decide=can_decide,
            submission_blockers=services.submission_blockers(assessment) if can_prepare else [],
            approval_blockers=services.approval_blockers(assessment) if can_decide else [],
            decision_form=DecisionForm() if can_decide else None,
            can_record_findings=has_role(user, PROCUREMENT, COMPLIANCE),
        )
        return context


AnswerFormSet = modelformset_factory(Answer, form=AnswerForm, extra=0)


class AnswersEditView(RoleRequiredMixin, FormView):
    roles = (PROCUREMENT,)
    template_name = "assessments/answers_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.assessment = get_object_or_404(
            Assessment.objects.select_related("vendor", "standard"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        services.assessment_add_missing_answers(assessment=self.assessment, user=request.user)
        return super().get(request, *args, **kwargs)

    def get_form(self, form_class=None):
        asked = Criterion.conditions_met_by(self.assessment.vendor)
        queryset = (
            self.assessment.answers.filter(criterion__applies_when__in=asked)
            .select_related("criterion")
            .order_by("criterion__position", "criterion__code")
        )
        return AnswerFormSet(
            queryset=queryset,
            **(
                {"data": self.request.POST, "files": self.request.FILES}
                if self.request.method == "POST"
                else {}
            ),
        )

    @property
    def token_key(self) -> str:
        return f"{token_key(self.assessment)}:answers"

    def submitted_version(self) -> int | None:
        """The page's edit token as posted, else as this session opened the page (core.edit_tokens)."""
        version = VersionField().clean(self.request.POST.get("version"))
        return opened_version(self.request.session, self.token_key) if version is None else version

    def get_context_data(self, **kwargs):
        if "version" not in kwargs:  # the page's edit token: as opened, or as submitted when re-shown
            if self.request.method == "POST":
                kwargs["version"] = self.submitted_version()
            else:
                kwargs["version"] = selectors.answers_version(self.assessment)
                remember_opened(self.request.session, self.token_key, kwargs["version"])
        return super().get_context_data(
            assessment=self.assessment, formset=kwargs.get("form") or self.get_form(), **kwargs
        )

    def form_valid(self, formset):
        try:
            services.answers_save(
                assessment=self.assessment,
                answers=[form.instance for form in formset.forms if form.has_changed()],
                user=self.request.user,
                version=self.submitted_version(),
            )
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
            if isinstance(error, EditConflict):
                # The input stays; the current token lets a second press save over the change, on purpose.
                remember_opened(self.request.session, self.token_key, error.version)
                return self.render_to_response(self.get_context_data(form=formset, version=error.version))
            return self.form_invalid(formset)
        forget_opened(self.request.session, self.token_key)
        messages.success(self.request, _("Answers saved."))
        return redirect(self.assessment)


class SubmitView(ServiceActionView):
    roles = (PROCUREMENT,)
    model = Assessment
    success_message = gettext_lazy("Submitted for review.")

    def act(self, assessment):
        return services.assessment_submit(assessment=assessment, user=self.request.user)


class DecideView(RoleRequiredMixin, FormView):
    roles = (COMPLIANCE,)
    form_class = DecisionForm
    http_method_names = ["post"]

    def form_valid(self, form):
        assessment = get_object_or_404(Assessment, pk=self.kwargs["pk"])
        action = {
            "approve": services.assessment_approve,
            "reject": services.assessment_reject,
            "return": services.assessment_return,
        }[form.cleaned_data["decision"]]
        try:
            action(assessment=assessment, user=self.request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(self.request, message)
        else:
            messages.success(
                self.request,
                _("Decision recorded: %(status)s.") % {"status": assessment.get_status_display()},
            )
        return redirect(assessment)

    def form_invalid(self, form):
        for errors in form.errors.values():
            for message in errors:
                messages.error(self.request, message)
        return redirect("assessments:detail", pk=self.kwargs["pk"])


class QuestionnaireDownloadView(RoleRequiredMixin, DetailView):
    model = Assessment

    def get(self, request, *args, **kwargs):
        assessment = self.get_object()
        workbook = excel.questionnaire_workbook(assessment)
        return attachment(workbook, f"questionnaire-{assessment.pk}.xlsx", content_type=XLSX)


class QuestionnaireUploadView(RoleRequiredMixin, FormView):
    roles = (PROCUREMENT,)
    form_class = UploadForm
    template_name = "assessments/questionnaire_upload.html"

    def dispatch(self, request, *args, **kwargs):
        self.assessment = get_object_or_404(
            Assessment.objects.select_related("vendor", "standard"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(assessment=self.assessment, **kwargs)

    def form_valid(self, form):
        try:
            result = services.assessment_import_questionnaire(
                assessment=self.assessment, user=self.request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=UploadForm(), result=result))


class FindingEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = (PROCUREMENT, COMPLIANCE)
    form_class = FindingForm
    model = Finding
    template_name = "assessments/finding_form.html"

    def perform(self, form):
        return services.finding_save(
            finding=form.instance, user=self.request.user, version=form.cleaned_data["version"]
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class FindingCreateView(FindingEditMixin, CreateView):
    def dispatch(self, request, *args, **kwargs):
        self.assessment = get_object_or_404(Assessment.objects.select_related("standard"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(instance=Finding(assessment=self.assessment), assessment=self.assessment)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(assessment=self.assessment, **kwargs)


class FindingUpdateView(FindingEditMixin, UpdateView):
    queryset = Finding.objects.select_related("assessment__standard")

    def get_context_data(self, **kwargs):
        return super().get_context_data(assessment=self.object.assessment, **kwargs)


class StandardListView(RoleRequiredMixin, FilterView):
    filterset_class = StandardFilterSet
    queryset = Standard.objects.order_by("name", "-version")
    template_name = "assessments/standard_list.html"
    export_url_name = "assessments:standard_export"
    register_name = "standards"
    register = staticmethod(standard_register)


class StandardDetailView(RoleRequiredMixin, DetailView):
    model = Standard
    template_name = "assessments/standard_detail.html"
    context_object_name = "standard"

    def get_context_data(self, **kwargs):
        criteria = CriterionFilterSet(
            self.request.GET, queryset=self.object.criteria.order_by("position", "code")
        )
        return super().get_context_data(
            filter=criteria, criteria=criteria.qs, can_edit=has_role(self.request.user, COMPLIANCE), **kwargs
        )


class StandardUpdateView(RoleRequiredMixin, ServiceFormMixin, UpdateView):
    roles = (COMPLIANCE,)
    model = Standard
    form_class = StandardForm
    template_name = "assessments/standard_form.html"

    def perform(self, form):
        return services.standard_save(
            standard=form.instance, user=self.request.user, version=form.cleaned_data["version"]
        )

    def get_success_url(self):
        return self.object.get_absolute_url()


class StandardCopyView(ServiceActionView):
    roles = (COMPLIANCE,)
    model = Standard
    success_message = gettext_lazy("New draft version created: edit its criteria, then publish it.")

    def act(self, standard):
        return services.standard_copy(standard=standard, user=self.request.user)


class StandardPublishView(ServiceActionView):
    roles = (COMPLIANCE,)
    model = Standard
    success_message = gettext_lazy("Published; the previous version is retired.")

    def act(self, standard):
        return services.standard_publish(standard=standard, user=self.request.user)


class CriterionEditMixin(RoleRequiredMixin, ServiceFormMixin):
    roles = (COMPLIANCE,)
    model = Criterion
    form_class = CriterionForm
    template_name = "assessments/criterion_form.html"

    def perform(self, form):
        return services.criterion_save(
            criterion=form.instance, user=self.request.user, version=form.cleaned_data["version"]
        )

    def get_success_url(self):
        return self.object.standard.get_absolute_url()


class CriterionCreateView(CriterionEditMixin, CreateView):
    def dispatch(self, request, *args, **kwargs):
        self.standard = get_object_or_404(Standard, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Criterion(standard=self.standard)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(standard=self.standard, **kwargs)


class CriterionUpdateView(CriterionEditMixin, UpdateView):
    queryset = Criterion.objects.select_related("standard")

    def get_context_data(self, **kwargs):
        return super().get_context_data(standard=self.object.standard, **kwargs)
