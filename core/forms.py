from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .history import EditConflict, latest_version
from .models import UserProfile
from .roles import PROCUREMENT
from .templatetags.ui import user_label


class ChangeReasonMixin(forms.Form):
    """An optional reason, stored with the history version the save writes."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Recorded in the history."),
    )


class VersionField(forms.Field):
    """The hidden edit token. A garbled one reads as 0, which matches no version: refused as stale, with the
    current token. A missing one reads as None: the view then checks the token its session opened the
    form with (core.edit_tokens), if any."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return int(value) if str(value).isdigit() else 0


class VersionedFormMixin(forms.Form):
    """An edit form that carries the version of the record it was opened at (lost-update protection).

    The service refuses the save if a newer version was written since (core.history.require_unchanged). The
    refused form keeps the user's input and takes the current token: saving again, after reviewing the other
    person's change, deliberately overwrites it.
    """

    version = VersionField()
    opened_version: int | None = None  # the token this user's session opened the form with (edit_tokens)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = latest_version(self.instance.history.all())

    def clean_version(self):
        version = self.cleaned_data["version"]
        return self.opened_version if version is None else version

    def add_error(self, field, error):
        if isinstance(error, EditConflict):
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = error.version
        super().add_error(field, error)


def limit_to_procurement(field: forms.ModelChoiceField) -> None:
    """An owner field offers active procurement users, shown by name."""
    field.queryset = (
        get_user_model().objects.filter(is_active=True, groups__name=PROCUREMENT).order_by("username")
    )
    field.label_from_instance = user_label


class ProfileForm(forms.ModelForm):
    class Meta:
        model = UserProfile
        fields = ("language", "daily_digest")
