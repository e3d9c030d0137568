"""Protection contracts: saving, activation, termination, renewal, expiry, consents and reminders."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import save_with_history
from core.reminders import Reminder, not_fully_sent, reminder_source, run_reminders
from core.roles import COMPLIANCE, PROCUREMENT, active_users_with_role, has_role
from vendors.models import Vendor

from .models import ProtectionContract, ReentrustmentConsent

Status = ProtectionContract.Status
Kind = ProtectionContract.Kind
ENTRUSTMENT_KINDS = (Kind.ENTRUSTMENT, Kind.PROTECTION_AGREEMENT)
EDITABLE_STATUSES = (Status.DRAFT, Status.ACTIVE)
NOTICE_REMINDER = "contract_notice"
EXPIRED_REMINDER = "contract_expired"


def require_contract_editor(user) -> None:
    if not has_role(user, PROCUREMENT, COMPLIANCE):
        raise PermissionDenied(_("Only procurement or compliance may change contracts."))


def _locked(contract: ProtectionContract) -> ProtectionContract:
    return (
        ProtectionContract.objects.select_for_update(of=("self",))
        .select_related("vendor", "renews")
        .get(pk=contract.pk)
    )


def contract_save(
    *, contract: ProtectionContract, user, clauses=None, reason: str = "", version: int | None = None
) -> ProtectionContract:
    """Create or edit a contract; only drafts and active contracts can be edited.

    `version` is the edit form's token: a version written since the form was opened refuses the save.
    """
    require_contract_editor(user)
    if not contract._state.adding:
        current = ProtectionContract.objects.values_list("status", flat=True).get(pk=contract.pk)
        if current not in EDITABLE_STATUSES:
            raise ValidationError(
                _("This contract is %(status)s: it is archived and cannot be edited.")
                % {"status": Status(current).label.lower()}
            )
    with transaction.atomic():
        save_with_history(
            contract,
            user=user,
            reason=reason,
            m2m={"clauses": clauses} if clauses is not None else None,
            version=version,
        )
    return contract


def contract_activation_blockers(contract: ProtectionContract) -> list[str]:
    problems = []
    if contract.status != Status.DRAFT:
        problems.append(
            _("Only a draft can be activated; this contract is %(status)s.")
            % {"status": contract.get_status_display().lower()}
        )
    if contract.signed_on is None:
        problems.append(_("Enter the date the contract was signed."))
    if not contract.document:
        problems.append(_("Attach the signed document."))
    if contract.starts_on is None:
        problems.append(_("Enter the start date."))
    if contract.ends_on is None and contract.review_on is None:
        problems.append(_("Enter the end date, or a review date for an open-ended contract."))
    missing = contract.missing_clauses
    if missing:
        problems.append(
            _("Required clauses are missing: %(clauses)s.") % {"clauses": ", ".join(str(c) for c in missing)}
        )
    if contract.vendor.status == Vendor.Status.TERMINATED:
        problems.append(_("The vendor is terminated."))
    return problems


def contract_activate(*, contract: ProtectionContract, user) -> ProtectionContract:
    """Activate a signed draft; a renewal supersedes the contract it renews."""
    require_contract_editor(user)
    with transaction.atomic():
        current = _locked(contract)
        problems = contract_activation_blockers(current)
        if problems:
            raise ValidationError(problems)
        current.status = Status.ACTIVE
        save_with_history(
            current, user=user, reason=_("Activated: signed on %(date)s.") % {"date": current.signed_on}
        )
        predecessor = current.renews
        if predecessor is not None and predecessor.status in (Status.ACTIVE, Status.EXPIRED):
            predecessor.status = Status.SUPERSEDED
            save_with_history(
                predecessor, user=user, reason=_("Superseded by %(ref)s.") % {"ref": current.reference}
            )
    contract.refresh_from_db()
    return contract


def contract_terminate(*, contract: ProtectionContract, user, reason: str) -> ProtectionContract:
    require_contract_editor(user)
    with transaction.atomic():
        current = _locked(contract)
        problems = []
        if current.status not in (Status.DRAFT, Status.ACTIVE):
            problems.append(
                _("Only a draft or active contract can be terminated; this one is %(status)s.")
                % {"status": current.get_status_display().lower()}
            )
        if not (reason or "").strip():
            problems.append(_("Give a reason for terminating the contract."))
        if problems:
            raise ValidationError(problems)
        current.status = Status.TERMINATED
        save_with_history(current, user=user, reason=reason.strip())
    contract.refresh_from_db()
    return contract


def _renewal_reference(contract: ProtectionContract) -> str:
    base = contract.reference
    for n in range(2, 1000):
        candidate = f"{base}-R{n}"
        if not ProtectionContract.objects.filter(reference=candidate).exists():
            return candidate
    raise ValidationError(_("No free renewal reference for %(ref)s.") % {"ref": base})


def contract_renew(*, contract: ProtectionContract, user) -> ProtectionContract:
    """A draft successor copying the terms and clauses, starting the day after this one ends."""
    require_contract_editor(user)
    with transaction.atomic():
        current = _locked(contract)
        problems = []
        if current.status not in (Status.ACTIVE, Status.EXPIRED):
            problems.append(
                _("Only an active or expired contract can be renewed; this one is %(status)s.")
                % {"status": current.get_status_display().lower()}
            )
        draft = current.successors.filter(status=Status.DRAFT).first()
        if draft is not None:
            problems.append(_("A renewal is already being prepared: %(ref)s.") % {"ref": draft.reference})
        if problems:
            raise ValidationError(problems)
        starts_on = current.ends_on + timedelta(days=1) if current.ends_on else timezone.localdate()
        ends_on = None
        if current.ends_on and current.starts_on:
            term = relativedelta(current.ends_on + timedelta(days=1), current.starts_on)
            ends_on = starts_on + term - timedelta(days=1)
        successor = ProtectionContract(
            vendor=current.vendor,
            kind=current.kind,
            title=current.title,
            reference=_renewal_reference(current),
            starts_on=starts_on,
            ends_on=ends_on,
            review_on=None if ends_on else current.review_on,
            auto_renews=current.auto_renews,
            renewal_months=current.renewal_months,
            notice_days=current.notice_days,
            permits_reentrustment=current.permits_reentrustment,
            owner=current.owner,
            renews=current,
            notes=current.notes,
        )
        save_with_history(
            successor,
            user=user,
            reason=_("Renewal of %(ref)s.") % {"ref": current.reference},
            m2m={"clauses": list(current.clauses.all())},
        )
    return successor


def next_term_end(ends_on: date, months: int) -> date:
    """The end of the next term: counted from the day after the end, so month ends stay month ends.

    (31 Jan + 1 month is 28 Feb; counting from 1 Feb gives 1 Mar - 1 day = 28 Feb, and the next
    term 1 Apr - 1 day = 31 Mar instead of drifting to 28 Mar.)
    """
    return ends_on + timedelta(days=1) + relativedelta(months=months) - timedelta(days=1)


def contract_expire_due(*, today: date | None = None) -> int:
    """Daily: active contracts past their end renew automatically or expire; returns how many changed."""
    today = today or timezone.localdate()
    changed = 0
    due = ProtectionContract.objects.filter(status=Status.ACTIVE, ends_on__lt=today).values_list(
        "pk", flat=True
    )
    for pk in due:
        with transaction.atomic():
            contract = ProtectionContract.objects.select_for_update().get(pk=pk)
            if contract.status != Status.ACTIVE or contract.ends_on >= today:
                continue  # another run got here first
            if contract.auto_renews:
                while contract.ends_on < today:
                    contract.ends_on = next_term_end(contract.ends_on, contract.renewal_months)
                save_with_history(contract, user=None, reason="automatic renewal")
            else:
                contract.status = Status.EXPIRED
                save_with_history(
                    contract, user=None, reason=_("Ended on %(date)s.") % {"date": contract.ends_on}
                )
            changed += 1
    return changed


def consent_save(
    *,
    consent: ReentrustmentConsent,
    user,
    data_categories=None,
    reason: str = "",
    version: int | None = None,
) -> ReentrustmentConsent:
    require_contract_editor(user)
    with transaction.atomic():
        save_with_history(
            consent,
            user=user,
            reason=reason,
            m2m={"data_categories": data_categories} if data_categories is not None else None,
            version=version,
        )
    return consent


# --- what contracts mean for a vendor ------------------------------------------------------------


# A renewal signed early supersedes its predecessor at once, but the predecessor's term still governs
# until the successor starts: both count as in force on the days their own dates cover.
IN_FORCE_STATUSES = (Status.ACTIVE, Status.SUPERSEDED)


def in_force_q(day: date) -> Q:
    """Contracts in force on `day`: the one condition behind covering_contracts, the coverage-gap filter
    and the vendor register's covering-contract columns."""
    return Q(status__in=IN_FORCE_STATUSES, starts_on__lte=day) & (
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )


def covering_contracts(vendor: Vendor, *, kinds, day: date | None = None) -> list[ProtectionContract]:
    """The vendor's contracts of `kinds` in force on `day` (default today)."""
    day = day or timezone.localdate()
    return list(vendor.contracts.filter(in_force_q(day), kind__in=kinds).prefetch_related("clauses"))


def vendor_contract_kinds(vendor: Vendor) -> tuple[str, ...]:
    return (Kind.JOINT_USE,) if vendor.kind == Vendor.Kind.JOINT_USER else ENTRUSTMENT_KINDS


def vendor_contract_blockers(vendor: Vendor) -> list[str]:
    """Gate for approval: the vendor needs an active, complete contract of the right kind covering today."""
    contracts = covering_contracts(vendor, kinds=vendor_contract_kinds(vendor))
    if not contracts:
        if vendor.kind == Vendor.Kind.JOINT_USER:
            return [_("No active joint-use agreement covers today.")]
        return [_("No active entrustment contract or protection agreement covers today.")]
    if all(c.missing_clauses for c in contracts):
        missing = contracts[0].missing_clauses
        return [
            _("The active contract %(ref)s lacks required clauses: %(clauses)s.")
            % {"ref": contracts[0].reference, "clauses": ", ".join(str(c) for c in missing)}
        ]
    return []


def vendor_reentrustment_blockers(vendor: Vendor) -> list[str]:
    """Gate for approving a subcontractor: the parent's contract permits it and the company consented."""
    if vendor.kind != Vendor.Kind.SUBCONTRACTOR or vendor.parent is None:
        return []
    problems = []
    parent_contracts = covering_contracts(vendor.parent, kinds=ENTRUSTMENT_KINDS)
    if not any(c.permits_reentrustment for c in parent_contracts):
        problems.append(
            _("No active contract of “%(parent)s” permits re-entrustment.") % {"parent": vendor.parent}
        )
    if not ReentrustmentConsent.objects.filter(parent=vendor.parent, subcontractor=vendor).exists():
        problems.append(
            _("There is no written consent for “%(parent)s” to re-entrust to this subcontractor.")
            % {"parent": vendor.parent}
        )
    return problems


def vendor_contract_warnings(vendor: Vendor) -> list[str]:
    """Shown on the vendor page: an approved vendor whose contract coverage has lapsed."""
    if vendor.status != Vendor.Status.APPROVED:
        return []
    if covering_contracts(vendor, kinds=vendor_contract_kinds(vendor)):
        return []
    return [_("Approved, but no active contract covers today: its last contract expired or was terminated.")]


# --- reminders -----------------------------------------------------------------------------------


def _thresholds() -> list[int]:
    return sorted(set(settings.CONTRACT_REMINDER_DAYS), reverse=True)


def _with_people(queryset):
    return queryset.select_related("vendor", "vendor__owner__profile", "owner__profile")


def due_notice_reminders(today: date):
    """Active contracts whose decision date (notice deadline or review date) is within a threshold.

    Only the most recent threshold reached is due, so a run after days of downtime sends one
    reminder, not one per missed threshold. Cost grows with what is due, not with the register.
    """
    thresholds = _thresholds()
    for index, threshold in enumerate(thresholds):
        window = Q(decision_on__lte=today + timedelta(days=threshold))
        if index + 1 < len(thresholds):
            window &= Q(decision_on__gt=today + timedelta(days=thresholds[index + 1]))
        contracts = _with_people(
            ProtectionContract.objects.filter(window, status=Status.ACTIVE).filter(
                not_fully_sent(NOTICE_REMINDER, ProtectionContract, threshold, OuterRef("decision_on"))
            )
        )
        for contract in contracts:
            yield Reminder(
                kind=NOTICE_REMINDER,
                subject=contract,
                deadline=contract.decision_on,
                threshold=threshold,
                recipients=(contract.owner, contract.vendor.owner),
                template="contracts/email/notice",
                context={
                    "contract": contract,
                    "vendor": contract.vendor,
                    "days_left": (contract.decision_on - today).days,
                    "days_overdue": max(0, (today - contract.decision_on).days),
                },
            )


def due_expiry_escalations(today: date):
    """Contracts that ended with nothing succeeding them: escalated to every compliance user."""
    compliance = active_users_with_role(COMPLIANCE)
    active_successor = ProtectionContract.objects.filter(renews=OuterRef("pk"), status=Status.ACTIVE)
    ended = (Q(status=Status.EXPIRED) | Q(status=Status.ACTIVE, auto_renews=False)) & Q(ends_on__lt=today)
    contracts = _with_people(
        ProtectionContract.objects.filter(ended)
        .exclude(vendor__status=Vendor.Status.TERMINATED)  # the entrustment itself has ended
        .exclude(Exists(active_successor))
        .filter(not_fully_sent(EXPIRED_REMINDER, ProtectionContract, 0, OuterRef("ends_on")))
    )
    for contract in contracts:
        yield Reminder(
            kind=EXPIRED_REMINDER,
            subject=contract,
            deadline=contract.ends_on,
            threshold=0,
            recipients=(contract.owner, contract.vendor.owner, *compliance),
            template="contracts/email/expired",
            context={
                "contract": contract,
                "vendor": contract.vendor,
                "days_since": (today - contract.ends_on).days,
            },
        )


@reminder_source("contracts")
def contract_reminders(today: date):
    yield from due_notice_reminders(today)
    yield from due_expiry_escalations(today)


def send_contract_reminders(*, today: date | None = None) -> int:
    """Send every contract reminder due on `today` (default: today); returns the number of emails sent."""
    return run_reminders(today=today, only=["contracts"])["contracts"].sent
