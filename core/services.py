from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import UserProfile


def profile_save(*, profile: UserProfile, user) -> UserProfile:
    """A person changes only their own settings."""
    if profile.user_id != user.pk:
        raise ValidationError(_("You can change only your own settings."))
    profile.full_clean()
    profile.save()
    return profile
