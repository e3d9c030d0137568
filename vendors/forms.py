from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ChangeReasonMixin, VersionedFormMixin, limit_to_procurement

from .models import Contact, DataCategory, Purpose, Vendor


class VendorForm(VersionedFormMixin, ChangeReasonMixin, forms.ModelForm):
    class Meta:
        model = Vendor
        fields = [
            "name",
            "name_kana",
            "corporate_number",
            "country",
            "address",
            "representative",
            "website",
            "kind",
            "parent",
            "is_group_company",
            "owner",
            "data_categories",
            "purposes",
            "handles_special_care_data",
            "principal_count",
            "handles_data_abroad",
            "has_system_access",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "data_categories": forms.CheckboxSelectMultiple,
            "purposes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_to_procurement(self.fields["owner"])
        parents = Vendor.objects.exclude(kind=Vendor.Kind.JOINT_USER).exclude(status=Vendor.Status.TERMINATED)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.order_by("name")
        self.fields["data_categories"].queryset = DataCategory.objects.filter(is_active=True)
        self.fields["purposes"].queryset = Purpose.objects.filter(is_active=True)


class ContactForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "role", "is_primary"]


class VendorStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Vendor.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Recorded in the history; required to terminate."),
    )

    def __init__(self, *args, next_steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        if next_steps:
            self.fields["status"].widget.choices = [(t.target, t.action) for t, _blockers in next_steps]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DataCategoryForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = DataCategory
        fields = ["code", "name_en", "name_ja", "description", "is_special_care", "is_active"]


class PurposeForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Purpose
        fields = ["code", "name_en", "name_ja", "description", "data_categories", "is_active"]
        widgets = {"data_categories": forms.CheckboxSelectMultiple}


class VendorImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("The import template, filled in with one row per vendor."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would be created, without saving"),
        required=False,
        initial=True,
    )
