from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import UserProfile
from .roles import PROCUREMENT


class ChangeReasonMixin(forms.Form):
    """An optional reason, stored with the history version the save writes."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Recorded in the history."),
    )


def limit_to_procurement(field: forms.ModelChoiceField) -> None:
    """An owner field offers active procurement users, shown by name."""
    field.queryset = (
        get_user_model().objects.filter(is_active=True, groups__name=PROCUREMENT).order_by("username")
    )
    field.label_from_instance = lambda user: user.get_full_name() or user.username


class ProfileForm(forms.ModelForm):
    class Meta:
        model = UserProfile
        fields = ("language", "daily_digest")
