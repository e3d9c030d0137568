from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChangeReasonMixin
from vendors.models import DataCategory, Purpose, Vendor

from .models import (
    ConsentRecord,
    Country,
    ForeignTransfer,
    JointUseArrangement,
    PeriodicCheck,
    ProvisionRecord,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 2})


class TransferForm(ChangeReasonMixin, forms.ModelForm):
    class Meta:
        model = ForeignTransfer
        fields = [
            "vendor",
            "country",
            "relationship",
            "route",
            "data_categories",
            "purposes",
            "description",
            "started_on",
            "ordinary_basis",
            "basis",
            "basis_document",
            "legal_ground",
            "legal_justification",
        ]
        widgets = {
            "started_on": DATE,
            "description": TEXT,
            "legal_justification": TEXT,
            "data_categories": forms.CheckboxSelectMultiple,
            "purposes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.exclude(status=Vendor.Status.TERMINATED).order_by(
            "name"
        )
        self.fields["country"].queryset = Country.objects.filter(is_active=True).order_by("name_en")
        self.fields["data_categories"].queryset = DataCategory.objects.filter(is_active=True)
        self.fields["purposes"].queryset = Purpose.objects.filter(is_active=True)


class PeriodicCheckForm(forms.ModelForm):
    class Meta:
        model = PeriodicCheck
        fields = [
            "checked_on",
            "implementation_status",
            "foreign_laws",
            "impediments",
            "actions_demanded",
            "correction_due_on",
            "result",
        ]
        widgets = {
            "checked_on": DATE,
            "correction_due_on": DATE,
            "implementation_status": TEXT,
            "foreign_laws": TEXT,
            "impediments": TEXT,
            "actions_demanded": TEXT,
        }


class ConsentRecordForm(forms.ModelForm):
    class Meta:
        model = ConsentRecord
        fields = [
            "information_given_on",
            "obtained_on",
            "country_name_given",
            "country_unidentified",
            "country_unidentified_reason",
            "substitute_information",
            "recipient_measures",
            "recipient_measures_unknown",
            "recipient_measures_unknown_reason",
            "how_given",
            "whose_consent",
            "method",
            "evidence",
        ]
        widgets = {
            "information_given_on": DATE,
            "obtained_on": DATE,
            "country_unidentified_reason": TEXT,
            "substitute_information": TEXT,
            "recipient_measures": TEXT,
            "recipient_measures_unknown_reason": TEXT,
            "how_given": TEXT,
            "whose_consent": TEXT,
        }


class TransferStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(ForeignTransfer.Status.SUSPENDED, _("Suspend")), (ForeignTransfer.Status.ENDED, _("End"))],
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CountryForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = [
            "code",
            "name_en",
            "name_ja",
            "ppc_equivalent",
            "equivalent_since",
            "has_protection_system",
            "eu_adequacy",
            "apec_cbpr",
            "oecd_gaps",
            "other_laws",
            "information_reviewed_on",
            "source",
            "is_active",
        ]
        widgets = {
            "equivalent_since": DATE,
            "information_reviewed_on": DATE,
            "oecd_gaps": TEXT,
            "other_laws": TEXT,
            "source": TEXT,
            "has_protection_system": forms.NullBooleanSelect,
        }


class JointUseForm(forms.ModelForm):
    class Meta:
        model = JointUseArrangement
        fields = [
            "title",
            "data_items",
            "joint_users",
            "scope_description",
            "purposes",
            "responsible_party_name",
            "responsible_party_address",
            "responsible_party_representative",
            "notice_method",
            "notice_published_on",
            "effective_on",
        ]
        widgets = {
            "notice_published_on": DATE,
            "effective_on": DATE,
            "data_items": TEXT,
            "scope_description": TEXT,
            "purposes": TEXT,
            "joint_users": forms.CheckboxSelectMultiple,
        }


class JointUseReviseForm(JointUseForm):
    """The particulars of the next version, with what justifies changing them."""

    change_basis = forms.ChoiceField(
        label=_("Basis of the change"),
        required=False,
        choices=[("", "—"), *JointUseArrangement.ChangeBasis.choices],
    )
    responsible_party_replaced = forms.BooleanField(
        label=_("The responsible party is replaced by another company"),
        required=False,
        help_text=_("Not merely renamed or moved: a replacement must be notified in advance."),
    )

    class Meta(JointUseForm.Meta):
        fields = [f for f in JointUseForm.Meta.fields if f != "title"]


class ProvisionRecordForm(forms.ModelForm):
    class Meta:
        model = ProvisionRecord
        fields = [
            "kind",
            "provided_on",
            "last_provided_on",
            "recipient_name",
            "recipient_address",
            "recipient_representative",
            "individuals_description",
            "data_items",
            "consent_obtained",
            "transfer",
        ]
        widgets = {
            "provided_on": DATE,
            "last_provided_on": DATE,
            "individuals_description": TEXT,
            "data_items": TEXT,
        }
