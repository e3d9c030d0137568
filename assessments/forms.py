from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin, limit_to_procurement

from .models import Answer, Criterion, Finding, Standard


class AnswerForm(forms.ModelForm):
    class Meta:
        model = Answer
        fields = ["response", "comment", "evidence"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2}), "response": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        criterion = self.instance.criterion
        choices = [
            c for c in Answer.Response.choices if not (criterion.is_critical and c[0] == Answer.Response.NA)
        ]
        self.fields["response"].choices = choices
        self.fields["response"].required = False


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("return", _("Return to procurement")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return or reject; recorded in the history."),
    )


class FindingForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["criterion", "description", "severity", "due_on", "owner", "status", "resolution_note"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
            "resolution_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, assessment=None, **kwargs):
        super().__init__(*args, **kwargs)
        assessment = assessment or self.instance.assessment
        self.fields["criterion"].queryset = assessment.standard.criteria.all()
        limit_to_procurement(self.fields["owner"])


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in questionnaire (.xlsx)"),
        help_text=_("The workbook downloaded from this page, with the Answer and Comment columns filled."),
    )


class StandardForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Standard
        fields = ["name", "pass_score", "conditional_score", "notes"]


class CriterionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Criterion
        fields = [
            "code",
            "category",
            "question_en",
            "question_ja",
            "guidance",
            "weight",
            "is_critical",
            "evidence_required",
            "applies_when",
            "obligation",
            "position",
        ]
        widgets = {
            "question_en": forms.Textarea(attrs={"rows": 2}),
            "question_ja": forms.Textarea(attrs={"rows": 2}),
            "guidance": forms.Textarea(attrs={"rows": 2}),
        }
