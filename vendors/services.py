"""Business rules of the vendor register: saving, risk tier, status transitions, deletion."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.history import (
    delete_with_history,
    history_deferred,
    record_history,
    require_unchanged,
    save_with_history,
)
from core.roles import COMPLIANCE, PROCUREMENT, has_role

from .gates import gate_messages
from .models import Contact, Vendor

Status = Vendor.Status

HIGH_PRINCIPALS = 100_000
MEDIUM_PRINCIPALS = 1_000


@dataclass(frozen=True)
class Transition:
    target: str
    action: str
    roles: tuple[str, ...]
    requires_reason: bool = False


_TERMINATE = Transition(Status.TERMINATED, gettext_lazy("Terminate"), (COMPLIANCE,), requires_reason=True)
TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    Status.DRAFT: (
        Transition(Status.UNDER_REVIEW, gettext_lazy("Submit for review"), (PROCUREMENT, COMPLIANCE)),
        _TERMINATE,
    ),
    Status.UNDER_REVIEW: (
        Transition(Status.APPROVED, gettext_lazy("Approve"), (COMPLIANCE,)),
        Transition(Status.DRAFT, gettext_lazy("Return to procurement"), (COMPLIANCE,)),
        _TERMINATE,
    ),
    Status.APPROVED: (Transition(Status.SUSPENDED, gettext_lazy("Suspend"), (COMPLIANCE,)), _TERMINATE),
    Status.SUSPENDED: (Transition(Status.APPROVED, gettext_lazy("Reinstate"), (COMPLIANCE,)), _TERMINATE),
    Status.TERMINATED: (),
}


def vendor_transition(current: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS[current] if t.target == target), None)


def vendor_risk_tier(vendor: Vendor) -> tuple[str, list[str]]:
    """The risk tier the intake answers call for, with the reasons that decided it."""
    high, medium = [], []
    special_care_categories = (
        [c.name for c in vendor.data_categories.all() if c.is_special_care] if vendor.pk else []
    )
    if vendor.handles_special_care_data or special_care_categories:
        high.append(_("Handles special-care-required personal information."))
    if vendor.principal_count > HIGH_PRINCIPALS:
        high.append(
            _("Handles data of more than 100,000 principals (estimate: %(n)s).")
            % {"n": f"{vendor.principal_count:,}"}
        )
    if vendor.handles_data_abroad:
        high.append(_("Handles personal data in a foreign country."))
    if high:
        return Vendor.RiskTier.HIGH, high
    if vendor.principal_count > MEDIUM_PRINCIPALS:
        medium.append(
            _("Handles data of more than 1,000 principals (estimate: %(n)s).")
            % {"n": f"{vendor.principal_count:,}"}
        )
    if vendor.has_system_access:
        medium.append(_("Has access to company systems."))
    subcontractor_count = vendor.subcontractors.exclude(status=Status.TERMINATED).count() if vendor.pk else 0
    if subcontractor_count:
        medium.append(_("Re-entrusts work to %(n)d subcontractor(s).") % {"n": subcontractor_count})
    if medium:
        return Vendor.RiskTier.MEDIUM, medium
    return Vendor.RiskTier.LOW, [_("No high- or medium-risk factor in the intake.")]


def apply_risk_tier(vendor: Vendor) -> bool:
    """Set the vendor's stored tier and reasons from its intake; True when they changed."""
    # Stored reasons are the audit record, kept in one language; pages recompute them in the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        tier, reasons = vendor_risk_tier(vendor)
    changed = (tier, reasons) != (vendor.risk_tier, vendor.risk_reasons)
    vendor.risk_tier, vendor.risk_reasons = tier, reasons
    return changed


def vendor_refresh_risk(*, vendor: Vendor, user, reason: str) -> None:
    """Recompute a vendor's stored risk tier; writes a version only when it changed."""
    if apply_risk_tier(vendor):
        with history_deferred(vendor):
            vendor.save(update_fields=["risk_tier", "risk_reasons", "updated_at"])
        record_history(vendor, user=user, reason=reason)


def vendor_save(
    *,
    vendor: Vendor,
    user,
    data_categories=None,
    purposes=None,
    reason: str = "",
    version: int | None = None,
) -> Vendor:
    """Create or update a vendor with its data categories and purposes, and recompute its risk tier.

    The parents whose subcontractor count changed get their risk tier recomputed too. `version` is the edit
    form's token: a version written since the form was opened refuses the save (see require_unchanged).
    """
    require_editor(user)
    created = vendor._state.adding
    previous_parent_id = (
        None if created else Vendor.objects.values_list("parent_id", flat=True).get(pk=vendor.pk)
    )
    vendor.full_clean()
    with transaction.atomic():
        require_unchanged(vendor, version)
        with history_deferred(vendor):
            vendor.save()
            if data_categories is not None:
                vendor.data_categories.set(data_categories)
            if purposes is not None:
                vendor.purposes.set(purposes)
            if apply_risk_tier(vendor):
                vendor.save(update_fields=["risk_tier", "risk_reasons"])
        record_history(vendor, user=user, reason=reason, created=created)
        for parent_id in {previous_parent_id, vendor.parent_id} - {None}:
            _refresh_parent_risk(parent_id, user=user, subcontractor=vendor, cause=reason)
    return vendor


def _refresh_parent_risk(parent_id: int, *, user, subcontractor: Vendor, cause: str = "") -> None:
    """Recompute the parent's tier; its version's reason names the subcontractor and, if given, the
    reason of the change that caused it (e.g. the import file, as on the subcontractor's own version)."""
    parent = Vendor.objects.get(pk=parent_id)
    if cause:
        reason = _("Risk tier recomputed: subcontractors changed (%(name)s: %(cause)s).") % {
            "name": subcontractor.name,
            "cause": cause,
        }
    else:
        reason = _("Risk tier recomputed: subcontractors changed (%(name)s).") % {"name": subcontractor.name}
    vendor_refresh_risk(vendor=parent, user=user, reason=reason)


def require_editor(user) -> None:
    if not has_role(user, PROCUREMENT):
        raise PermissionDenied(_("Only procurement may create or edit vendors."))


def vendor_approval_blockers(vendor: Vendor) -> list[str]:
    """What stands between this vendor and approval, in plain words (empty when nothing does)."""
    return gate_messages(vendor, Status.APPROVED)


def vendor_status_blockers(vendor: Vendor, target: str, reason: str = "") -> list[str]:
    """Every reason the vendor cannot move to `target` now (transition, reason, and gates)."""
    transition = vendor_transition(vendor.status, target)
    if transition is None:
        allowed = ", ".join(str(Status(t.target).label) for t in TRANSITIONS[vendor.status])
        return [
            _("A vendor cannot go from %(current)s to %(target)s.")
            % {"current": vendor.get_status_display(), "target": Status(target).label}
            + (" " + _("Possible next statuses: %(allowed)s.") % {"allowed": allowed} if allowed else "")
        ]
    problems = []
    if transition.requires_reason and not reason.strip():
        problems.append(
            _("Give a reason: %(action)s needs one.") % {"action": str(transition.action).lower()}
        )
    problems.extend(gate_messages(vendor, target))
    return problems


def vendor_next_steps(vendor: Vendor, user) -> list[tuple[Transition, list[str]]]:
    """The transitions open from the current status that `user` may take, each with what blocks it now."""
    return [
        (t, gate_messages(vendor, t.target)) for t in TRANSITIONS[vendor.status] if has_role(user, *t.roles)
    ]


def vendor_change_status(*, vendor: Vendor, status: str, user, reason: str = "") -> Vendor:
    """Move a vendor to `status`, checking the transition, the user's role and every gate."""
    if status not in Status.values:
        raise ValidationError(_("“%(status)s” is not a vendor status.") % {"status": status})
    with transaction.atomic():
        # Lock the row so two reviewers cannot both decide from the same starting status.
        current = Vendor.objects.select_for_update(of=("self",)).select_related("parent").get(pk=vendor.pk)
        transition = vendor_transition(current.status, status)
        if transition is not None and not has_role(user, *transition.roles):
            raise PermissionDenied(
                _("Your role may not %(action)s a vendor.") % {"action": str(transition.action).lower()}
            )
        problems = vendor_status_blockers(current, status, reason)
        if problems:
            raise ValidationError(problems)
        current.status = status
        save_with_history(
            current,
            user=user,
            reason=reason.strip() or _("%(action)s.") % {"action": transition.action},
        )
        if status == Status.TERMINATED and current.parent_id:
            _refresh_parent_risk(current.parent_id, user=user, subcontractor=current)
    vendor.refresh_from_db()
    return vendor


def vendor_delete(*, vendor: Vendor, user, reason: str = "") -> None:
    """Delete a vendor entered by mistake; anything ever approved or re-entrusting stays and is terminated."""
    require_editor(user)
    with transaction.atomic():  # Vendor.delete() refuses (rolling the contacts back) what must stay
        parent_id = vendor.parent_id
        for contact in vendor.contacts.all():
            delete_with_history(contact, user=user, reason=_("Vendor deleted."))
        try:
            delete_with_history(vendor, user=user, reason=reason)
        except ProtectedError as error:
            # Records of other apps (contracts, consents, …) keep the vendor: name them instead of a 500.
            linked = sorted({str(obj._meta.verbose_name) + " " + str(obj) for obj in error.protected_objects})
            raise ValidationError(
                _("Records still refer to this vendor: %(records)s. Terminate it instead of deleting it.")
                % {"records": "; ".join(linked[:10])}
            ) from error
        if parent_id:
            _refresh_parent_risk(parent_id, user=user, subcontractor=vendor, cause=reason)


def contact_save(*, contact: Contact, user, reason: str = "", version: int | None = None) -> Contact:
    """Save a contact; making it primary demotes the vendor's previous primary contact."""
    require_editor(user)
    with transaction.atomic():
        require_unchanged(contact, version)
        if contact.is_primary:
            others = Contact.objects.select_for_update().filter(vendor=contact.vendor_id, is_primary=True)
            for other in others.exclude(pk=contact.pk):
                other.is_primary = False
                save_with_history(other, user=user, reason=_("Another contact became primary."))
        save_with_history(contact, user=user, reason=reason)
    return contact


def contact_delete(*, contact: Contact, user, reason: str = "") -> None:
    require_editor(user)
    delete_with_history(contact, user=user, reason=reason)
