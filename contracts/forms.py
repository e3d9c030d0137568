from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChangeReasonMixin, VersionedFormMixin, limit_to_procurement
from vendors.models import DataCategory, Vendor

from .models import Clause, ContractKind, ProtectionContract, ReentrustmentConsent

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(VersionedFormMixin, ChangeReasonMixin, forms.ModelForm):
    class Meta:
        model = ProtectionContract
        fields = [
            "vendor",
            "kind",
            "title",
            "reference",
            "signed_on",
            "starts_on",
            "ends_on",
            "review_on",
            "auto_renews",
            "renewal_months",
            "notice_days",
            "permits_reentrustment",
            "owner",
            "clauses",
            "document",
            "notes",
        ]
        widgets = {
            "signed_on": DATE,
            "starts_on": DATE,
            "ends_on": DATE,
            "review_on": DATE,
            "clauses": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.exclude(status=Vendor.Status.TERMINATED).order_by(
            "name"
        )
        limit_to_procurement(self.fields["owner"])
        self.fields["clauses"].queryset = Clause.objects.filter(is_active=True)
        self.fields["clauses"].label_from_instance = _clause_label
        if self.instance.pk:
            self.fields["vendor"].disabled = True


def _clause_label(clause: Clause) -> str:
    kinds = ", ".join(str(ContractKind(k).label) for k in clause.required_for)
    return f"{clause.title}" + (f" — {_('required for')}: {kinds}" if kinds else "")


class ReentrustmentConsentForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ReentrustmentConsent
        fields = [
            "parent",
            "subcontractor",
            "scope_of_work",
            "data_categories",
            "data_description",
            "consented_on",
            "consented_by",
            "document",
            "notes",
        ]
        widgets = {
            "consented_on": DATE,
            "data_categories": forms.CheckboxSelectMultiple,
            "scope_of_work": forms.Textarea(attrs={"rows": 3}),
            "data_description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Vendor.objects.exclude(kind=Vendor.Kind.JOINT_USER).order_by("name")
        self.fields["subcontractor"].queryset = Vendor.objects.filter(
            kind=Vendor.Kind.SUBCONTRACTOR
        ).order_by("name")
        self.fields["data_categories"].queryset = DataCategory.objects.filter(is_active=True)


class ClauseForm(VersionedFormMixin, forms.ModelForm):
    required_for = forms.MultipleChoiceField(
        label=_("Required for"),
        choices=ContractKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The contract kinds that cannot be activated without this clause."),
    )

    class Meta:
        model = Clause
        fields = ["code", "title_en", "title_ja", "description", "required_for", "obligation", "is_active"]


class ReasonRequiredForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ConfirmForm(forms.Form):
    """An action confirmed by pressing its button: nothing to fill in."""
