"""Rules that hold however a vendor is saved or deleted: through the services, an import, or a script."""

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from .models import Vendor
from .services import apply_risk_tier


@receiver(pre_save, sender=Vendor, dispatch_uid="vendors.keep_risk_tier_current")
def keep_risk_tier_current(sender, instance: Vendor, raw=False, update_fields=None, **kwargs):
    """Derive the tier of a new vendor that has none, and again whenever its intake answers change.

    A tier set explicitly on a vendor whose intake did not change is kept (data brought over from another
    register); a partial save (a status change, the services' own recomputation) leaves it alone.
    """
    if raw or update_fields is not None:
        return
    intake = instance.intake()
    if instance.risk_tier == "" or intake != getattr(instance, "saved_intake", intake):
        apply_risk_tier(instance)
    instance.saved_intake = intake


@receiver(pre_delete, sender=Vendor, dispatch_uid="vendors.refuse_deleting_what_must_stay")
def refuse_deleting_what_must_stay(sender, instance: Vendor, **kwargs):
    problems = instance.deletion_blockers()
    if problems:
        raise ValidationError(problems)
