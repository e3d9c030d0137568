"""Foreign transfers (APPI Art. 28), joint use (Art. 27(5)(iii)) and records of provision (Art. 29)."""

import hashlib
import logging
from datetime import date, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import delete_with_history, historical_model, save_with_history
from core.reminders import Reminder, deliver, fully_sent, not_fully_sent, reminder_source, run_reminders
from core.roles import COMPLIANCE, PROCUREMENT, active_users_with_role, has_role
from vendors.models import Vendor

from .models import (
    STALE_AFTER,
    ConsentRecord,
    Country,
    ForeignTransfer,
    JointUseArrangement,
    PeriodicCheck,
    ProvisionRecord,
    checked_from,
    with_related_rows,
)

logger = logging.getLogger(__name__)
Route = ForeignTransfer.Route
Status = ForeignTransfer.Status
CHECK_REMINDER = "transfer_check"
CHECK_OVERDUE = "transfer_check_overdue"
CORRECTION_OVERDUE = "transfer_correction_overdue"
COUNTRY_STALE = "country_information_stale"
SUSPENDED_NOTICE = "transfer_suspended"
NEVER_REVIEWED = date(1970, 1, 1)


def require_compliance(user) -> None:
    if not has_role(user, COMPLIANCE):
        raise PermissionDenied(_("Only compliance manages foreign transfers and joint use."))


# --- what a transfer still needs -----------------------------------------------------------------


def _route_prerequisites(transfer: ForeignTransfer, today: date) -> list[str]:
    country = transfer.country
    if transfer.route == Route.EQUIVALENT_COUNTRY:
        problems = []
        if country is not None and not country.ppc_equivalent:
            problems.append(
                _("%(country)s is not designated by the PPC as an equivalent country: choose another route.")
                % {"country": country}
            )
        if (
            transfer.relationship == ForeignTransfer.Relationship.THIRD_PARTY_PROVISION
            and not transfer.ordinary_basis
        ):
            problems.append(
                _(
                    "Record the ordinary basis of the provision (consent or an Art. 27 exception): "
                    "an equivalent country still needs one."
                )
            )
        return problems
    if transfer.route == Route.STANDARD_CONFORMING_SYSTEM:
        return _system_prerequisites(transfer, today)
    if transfer.route == Route.CONSENT:
        return _consent_prerequisites(transfer, today)
    if transfer.route == Route.LEGAL_EXCEPTION:
        problems = []
        if not transfer.legal_ground:
            problems.append(_("Record which ground of Art. 27(1) applies."))
        if not transfer.legal_justification.strip():
            problems.append(_("Justify why the exception applies."))
        return problems
    return [_("Choose the legal route of the transfer.")]


def _system_prerequisites(transfer: ForeignTransfer, today: date) -> list[str]:
    problems = []
    if not transfer.basis:
        problems.append(
            _("Record how the standard-conforming system is ensured (contract, group rules or APEC CBPR).")
        )
    if not transfer.basis_document:
        problems.append(_("Attach the document establishing the system (contract, rules or certificate)."))
    latest = transfer.last_check()
    # The first check confirms the system before provision starts; then at least yearly (Rule 18(1)).
    if latest is None:
        problems.append(
            _(
                "No periodic check is recorded: check the recipient's implementation and the foreign "
                "laws affecting it at least once a year."
            )
        )
    elif latest.checked_on + STALE_AFTER < today:
        problems.append(
            _("The last periodic check (%(date)s) is more than 12 months old.") % {"date": latest.checked_on}
        )
    if latest is not None:
        if latest.result == PeriodicCheck.Result.DIFFICULT:
            problems.append(
                _("The check of %(date)s found continued implementation difficult: provision must stop.")
                % {"date": latest.checked_on}
            )
        elif (
            latest.result == PeriodicCheck.Result.IMPEDED
            and latest.correction_due_on
            and latest.correction_due_on < today
        ):
            problems.append(
                _("The correction demanded on %(date)s was due on %(due)s and no later check shows it done.")
                % {"date": latest.checked_on, "due": latest.correction_due_on}
            )
    return problems


def _consent_prerequisites(transfer: ForeignTransfer, today: date) -> list[str]:
    consents = sorted(transfer.loaded("consents"), key=lambda c: (c.obtained_on, c.pk), reverse=True)
    consent = consents[0] if consents else None
    if consent is None:
        return [_("No consent record: record the information given and the consent obtained.")]
    problems = []
    if consent.information_given_on > consent.obtained_on:
        problems.append(
            _(
                "The information was given on %(given)s, after consent was obtained on %(obtained)s: it "
                "must come before."
            )
            % {"given": consent.information_given_on, "obtained": consent.obtained_on}
        )
    if consent.country_unidentified:
        if not consent.country_unidentified_reason.strip():
            problems.append(_("Say why the country could not be identified."))
        if not consent.substitute_information.strip():
            problems.append(_("Record the substitute information given (e.g. candidate countries)."))
    else:
        if transfer.country is None:
            problems.append(_("Name the country, or record that it could not be identified."))
        if not consent.country_name_given.strip():
            problems.append(_("Record the country name given to the principals."))
        snapshot = consent.protection_system_snapshot or {}
        if transfer.country is not None and snapshot.get("code") not in (None, transfer.country.code):
            problems.append(
                _(
                    "The consent was obtained for provision to another country (%(code)s): obtain it "
                    "again for %(country)s."
                )
                % {"code": snapshot["code"], "country": transfer.country}
            )
        if not snapshot or snapshot.get("has_protection_system") is None:
            problems.append(_("Record the country's protection system as it was shown to the principals."))
        else:
            given = consent.information_given_on
            reviewed = snapshot.get("information_reviewed_on")
            reviewed = date.fromisoformat(reviewed) if reviewed else None
            if reviewed is None or reviewed + STALE_AFTER < consent.obtained_on:
                problems.append(
                    _("The country information shown was more than 12 months old when consent was obtained.")
                )
            elif reviewed > given:
                problems.append(
                    _(
                        "The country information recorded was reviewed on %(reviewed)s, after it was given "
                        "to the principals on %(given)s: it cannot be what they were shown."
                    )
                    % {"reviewed": reviewed, "given": given}
                )
    if consent.recipient_measures_unknown:
        if not consent.recipient_measures_unknown_reason.strip():
            problems.append(_("Say why the recipient's measures could not be known."))
    elif not consent.recipient_measures.strip():
        problems.append(_("Record the measures the recipient takes, as told to the principals."))
    if not consent.how_given.strip():
        problems.append(_("Record how the information was given to the principals."))
    if not consent.whose_consent.strip() or not consent.method.strip():
        problems.append(_("Record whose consent it is and how it was obtained."))
    if not consent.evidence:
        problems.append(_("Attach the evidence of the consent (form, screen capture, log)."))
    return problems


def transfer_unmet_prerequisites(transfer: ForeignTransfer) -> list[str]:
    """Every item the transfer's legal route still lacks, in plain words (empty when nothing is missing)."""
    problems = []
    if transfer.country is None and transfer.route != Route.CONSENT:
        # Only the consent route may leave it open, with the "cannot be identified" information.
        problems.append(_("Name the country of the recipient."))
    problems.extend(_route_prerequisites(transfer, timezone.localdate()))
    return problems


# The models transfer_unmet_prerequisites reads.
_PREREQUISITE_MODELS = (ForeignTransfer, PeriodicCheck, ConsentRecord, Country)
UNMET_CACHE_SECONDS = 24 * 60 * 60


def _prerequisite_data_marks() -> tuple:
    """For each model the prerequisites read: its row count, last id, last history id and last history
    date, in one query.

    Creating or deleting a row moves the first two, a change made through the services (which write
    history) the third and fourth. The date is there because ids are reused after a rollback (tests on
    SQLite): an earlier state's marks could come back, and with them its cached verdicts.
    """
    quote = connection.ops.quote_name
    parts = []
    for model in _PREREQUISITE_MODELS:
        table, history = quote(model._meta.db_table), quote(historical_model(model)._meta.db_table)
        pk = quote(model._meta.pk.column)
        parts += [
            f"(SELECT COUNT(*) FROM {table})",
            f"(SELECT MAX({pk}) FROM {table})",
            f"(SELECT MAX(history_id) FROM {history})",
            f"(SELECT MAX(history_date) FROM {history})",
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def unmet_transfer_ids() -> frozenset[int]:
    """The transfers (any status) whose route lacks something today, by transfer_unmet_prerequisites.

    Judging every transfer takes a fifth of a second with a thousand of them, and the dashboard and the
    transfer list ask on every view. The verdicts are cached under today's date (checks and country
    information go stale with time) and the marks of the data the rules read, so that a new day, or a
    transfer, check, consent or country added, deleted or changed, has the next call judge afresh.
    """
    # Hashed: the history dates contain spaces, which cache keys must not.
    marks = hashlib.sha256(repr(_prerequisite_data_marks()).encode()).hexdigest()
    key = f"transfers:unmet:{timezone.localdate().isoformat()}:{marks}"
    unmet = cache.get(key)
    if unmet is None:
        transfers = with_related_rows(ForeignTransfer.objects.select_related("country"))
        unmet = frozenset(t.pk for t in transfers if transfer_unmet_prerequisites(t))
        cache.set(key, unmet, UNMET_CACHE_SECONDS)
    return unmet


def transfer_records_warning(transfer: ForeignTransfer) -> str | None:
    if transfer.requires_records and not transfer.records.exists():
        return _("This provision needs records of provision (Art. 29) and has none.")
    return None


# --- transfers -----------------------------------------------------------------------------------


def transfer_save(
    *, transfer: ForeignTransfer, user, data_categories=None, purposes=None, reason: str = ""
) -> ForeignTransfer:
    require_compliance(user)
    m2m = {}
    if data_categories is not None:
        m2m["data_categories"] = data_categories
    if purposes is not None:
        m2m["purposes"] = purposes
    with transaction.atomic():
        if not transfer._state.adding:
            stored = ForeignTransfer.objects.select_for_update().get(pk=transfer.pk)
            if stored.status == Status.ACTIVE and transfer.status == Status.ACTIVE:
                # An edit that breaks a prerequisite takes the transfer out of active use.
                save_with_history(transfer, user=user, reason=reason, m2m=m2m)
                problems = transfer_unmet_prerequisites(transfer)
                if problems:
                    raise ValidationError(
                        [_("This change would leave the active transfer without:"), *problems]
                    )
                return transfer
        save_with_history(transfer, user=user, reason=reason, m2m=m2m)
    return transfer


def transfer_activate(*, transfer: ForeignTransfer, user) -> ForeignTransfer:
    """Start (or resume) provision: only when no prerequisite of the route is missing."""
    require_compliance(user)
    with transaction.atomic():
        current = (
            ForeignTransfer.objects.select_for_update(of=("self",))
            .select_related("country")
            .get(pk=transfer.pk)
        )
        problems = []
        if current.status not in (Status.PLANNED, Status.SUSPENDED):
            problems.append(
                _("Only a planned or suspended transfer can be activated; this one is %(status)s.")
                % {"status": current.get_status_display().lower()}
            )
        problems.extend(transfer_unmet_prerequisites(current))
        if problems:
            raise ValidationError(problems)
        current.status = Status.ACTIVE
        current.started_on = current.started_on or timezone.localdate()
        save_with_history(current, user=user, reason=_("Activated: every prerequisite of the route is met."))
    transfer.refresh_from_db()
    return transfer


def transfer_change_status(*, transfer: ForeignTransfer, user, status: str, reason: str) -> ForeignTransfer:
    """Suspend or end a transfer by hand (a reason is required)."""
    require_compliance(user)
    allowed = {
        Status.ACTIVE: (Status.SUSPENDED, Status.ENDED),
        Status.PLANNED: (Status.ENDED,),
        Status.SUSPENDED: (Status.ENDED,),
    }
    with transaction.atomic():
        current = ForeignTransfer.objects.select_for_update().get(pk=transfer.pk)
        problems = []
        if status not in allowed.get(current.status, ()):
            problems.append(
                _("A transfer cannot go from %(current)s to %(target)s.")
                % {"current": current.get_status_display(), "target": Status(status).label}
            )
        if not (reason or "").strip():
            problems.append(_("Give a reason."))
        if problems:
            raise ValidationError(problems)
        current.status = status
        save_with_history(current, user=user, reason=reason.strip())
    transfer.refresh_from_db()
    return transfer


def periodic_check_record(*, transfer: ForeignTransfer, user, **fields) -> PeriodicCheck:
    """Record a periodic check; a 'difficult' result suspends the transfer at once and tells compliance."""
    require_compliance(user)
    with transaction.atomic():
        current = ForeignTransfer.objects.select_for_update().get(pk=transfer.pk)
        if current.route != Route.STANDARD_CONFORMING_SYSTEM:
            raise ValidationError(_("Periodic checks belong to the standard-conforming-system route."))
        # Whoever records the check made it, unless the fields name the colleague who did.
        check = PeriodicCheck(transfer=current, **{"checked_by": user, **fields})
        save_with_history(check, user=user, reason=_("Periodic check recorded."))
        if check.result == PeriodicCheck.Result.DIFFICULT and current.status == Status.ACTIVE:
            current.status = Status.SUSPENDED
            save_with_history(
                current,
                user=user,
                reason=_(
                    "Suspended automatically: the periodic check of %(date)s found continued implementation "
                    "difficult (APPI Art. 28(3)); provision must stop."
                )
                % {"date": check.checked_on},
            )
            transaction.on_commit(lambda: _notify_suspension(current, check))
    transfer.refresh_from_db()
    return check


def _notify_suspension(transfer: ForeignTransfer, check: PeriodicCheck) -> None:
    deliver(
        [
            Reminder(
                kind=SUSPENDED_NOTICE,
                subject=check,
                deadline=check.checked_on,
                threshold=0,
                recipients=tuple(active_users_with_role(COMPLIANCE)),
                template="transfers/email/suspended",
                context={"transfer": transfer, "check": check, "vendor": transfer.vendor},
            )
        ]
    )


def consent_record_save(*, consent: ConsentRecord, user, reason: str = "") -> ConsentRecord:
    """Save a consent record; its first save freezes the country information as it stood on the day it
    was given (ConsentRecord.save)."""
    require_compliance(user)
    if consent.transfer.route != Route.CONSENT:
        raise ValidationError(_("Consent records belong to transfers on the consent route."))
    return save_with_history(consent, user=user, reason=reason)


# --- joint use -----------------------------------------------------------------------------------

SCOPE_FIELDS = ("joint_users", "scope_description")
RESPONSIBLE_FIELDS = (
    "responsible_party_name",
    "responsible_party_address",
    "responsible_party_representative",
)
COPIED_FIELDS = ("title", "data_items", "scope_description", "purposes", *RESPONSIBLE_FIELDS, "notice_method")


def joint_use_save(
    *, arrangement: JointUseArrangement, user, joint_users=None, reason: str = ""
) -> JointUseArrangement:
    """Create or edit a draft; a published arrangement changes only through joint_use_revise."""
    require_compliance(user)
    if not arrangement._state.adding:
        stored = JointUseArrangement.objects.get(pk=arrangement.pk)
        if stored.status != JointUseArrangement.Status.DRAFT:
            raise ValidationError(_("A published arrangement is changed by revising it into a new version."))
    return save_with_history(
        arrangement,
        user=user,
        reason=reason,
        m2m={"joint_users": joint_users} if joint_users is not None else None,
    )


# How long after a change of the responsible party's details it stays flagged "notify without delay".
NOTIFY_WITHOUT_DELAY_WINDOW = timedelta(days=30)


def joint_use_needs_notice_q() -> Q:
    """Published revisions the principals must still be told about.

    A change announced ahead (it takes effect later), or a change of the responsible party's name, address
    or representative in the last 30 days, which Art. 27(6) requires to be notified without delay.
    """
    today = timezone.localdate()
    return Q(status=JointUseArrangement.Status.PUBLISHED, previous__isnull=False) & (
        Q(effective_on__gt=today)
        | Q(notify_without_delay=True, effective_on__gte=today - NOTIFY_WITHOUT_DELAY_WINDOW)
    )


def joint_use_publish(*, arrangement: JointUseArrangement, user) -> JointUseArrangement:
    require_compliance(user)
    problems = []
    if arrangement.status != JointUseArrangement.Status.DRAFT:
        problems.append(_("Only a draft can be published."))
    if not arrangement.notice_published_on:
        problems.append(_("Record when the particulars were notified or made readily accessible."))
    if (
        arrangement.effective_on
        and arrangement.notice_published_on
        and arrangement.notice_published_on > arrangement.effective_on
    ):
        problems.append(_("The particulars must be published before joint use starts."))
    if problems:
        raise ValidationError(problems)
    arrangement.status = JointUseArrangement.Status.PUBLISHED
    return save_with_history(arrangement, user=user, reason=_("Published."))


def joint_use_revise(
    *,
    arrangement: JointUseArrangement,
    user,
    changes: dict,
    change_basis: str = "",
    notice_published_on=None,
    effective_on=None,
) -> JointUseArrangement:
    """A new version of a published arrangement, under the change rules of Art. 27(6).

    - responsible party's name, address or representative changed: allowed; flagged "notify without delay";
    - purposes changed, or the responsible party replaced (changes["responsible_party_replaced"] = True):
      the notice must be published on or before the new version takes effect;
    - data items changed: only with the principals' prior consent;
    - scope of joint users changed: only with consent, a joint user's renaming or business succession.
    """
    require_compliance(user)
    changes = dict(changes)
    replaced = bool(changes.pop("responsible_party_replaced", False))
    unknown = set(changes) - set(COPIED_FIELDS) - {"joint_users"}
    if unknown:
        raise ValidationError(
            _("These particulars cannot be revised: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        current = JointUseArrangement.objects.select_for_update().get(pk=arrangement.pk)
        problems = []
        if current.status != JointUseArrangement.Status.PUBLISHED:
            problems.append(_("Only the published version can be revised."))
        changed = {name for name, value in changes.items() if _differs(current, name, value)}
        if "data_items" in changed and change_basis != JointUseArrangement.ChangeBasis.CONSENT:
            problems.append(
                _(
                    "The data items jointly used cannot change without the principals' prior consent "
                    "(Art. 27(6)): record that basis."
                )
            )
        if changed & set(SCOPE_FIELDS) and change_basis not in JointUseArrangement.ChangeBasis.values:
            problems.append(
                _(
                    "The scope of joint users cannot change unless the principals consented, a joint "
                    "user was renamed, or a business was succeeded: record which."
                )
            )
        if "purposes" in changed or replaced:
            if not notice_published_on or not effective_on:
                problems.append(
                    _(
                        "Changed purposes or a new responsible party must be notified in advance: give "
                        "the notice date and the date the change takes effect."
                    )
                )
            elif notice_published_on > effective_on:
                problems.append(
                    _(
                        "The notice (%(notice)s) must come on or before the change takes effect "
                        "(%(effective)s)."
                    )
                    % {"notice": notice_published_on, "effective": effective_on}
                )
        if not changed and not replaced:
            problems.append(_("Nothing changes: no new version is needed."))
        if problems:
            raise ValidationError(problems)
        revision = JointUseArrangement(
            **{name: getattr(current, name) for name in COPIED_FIELDS},
            version=current.version + 1,
            previous=current,
            status=JointUseArrangement.Status.PUBLISHED,
            change_basis=change_basis,
            notice_published_on=notice_published_on or timezone.localdate(),
            effective_on=effective_on or timezone.localdate(),
            notify_without_delay=bool(changed & set(RESPONSIBLE_FIELDS)) and not replaced,
        )
        for name, value in changes.items():
            if name != "joint_users":
                setattr(revision, name, value)
        joint_users = changes.get("joint_users", list(current.joint_users.all()))
        save_with_history(
            revision,
            user=user,
            reason=_("Version %(v)s.") % {"v": revision.version},
            m2m={"joint_users": joint_users},
        )
        current.status = JointUseArrangement.Status.RETIRED
        save_with_history(
            current, user=user, reason=_("Replaced by version %(v)s.") % {"v": revision.version}
        )
    return revision


def _differs(current: JointUseArrangement, name: str, value) -> bool:
    if name == "joint_users":
        return {v.pk for v in current.joint_users.all()} != {getattr(v, "pk", v) for v in value}
    return getattr(current, name) != value


# --- records of provision ------------------------------------------------------------------------


def provision_record_save(*, record: ProvisionRecord, user, reason: str = "") -> ProvisionRecord:
    if not has_role(user, COMPLIANCE, PROCUREMENT):
        raise PermissionDenied(_("Only procurement or compliance keep records of provision."))
    return save_with_history(record, user=user, reason=reason)


def provision_record_delete(*, record: ProvisionRecord, user) -> None:
    require_compliance(user)
    delete_with_history(record, user=user, reason=_("Retention period ended."))  # the model refuses early


def purge_expired_records(*, user=None) -> list[str]:
    """Delete records past their retention date; returns a line per record deleted, for the log.

    Always judged against the real date: no caller can make a record expire early.
    """
    today = timezone.localdate()
    deleted = []
    for record in ProvisionRecord.objects.filter(retain_until__lt=today):
        line = f"#{record.pk} {record} (kind {record.kind}, retained until {record.retain_until})"
        with transaction.atomic():
            delete_with_history(record, user=user, reason=_("Retention period ended."))
        logger.info("Deleted record of provision %s", line)
        deleted.append(line)
    return deleted


# --- what transfers mean for a vendor ------------------------------------------------------------


def vendor_transfer_blockers(vendor: Vendor) -> list[str]:
    problems = []
    if (vendor.country != "JP" or vendor.handles_data_abroad) and not vendor.foreign_transfers.filter(
        status=Status.ACTIVE
    ).exists():
        problems.append(
            _(
                "The vendor receives personal data abroad: it needs an active foreign transfer on a "
                "legal route (APPI Art. 28)."
            )
        )
    if (
        vendor.kind == Vendor.Kind.JOINT_USER
        and not vendor.joint_use_arrangements.filter(status=JointUseArrangement.Status.PUBLISHED).exists()
    ):
        problems.append(_("A joint user must be in a published joint-use arrangement."))
    return problems


# --- reminders -----------------------------------------------------------------------------------


def due_check_reminders(today: date):
    """Periodic checks due within 30 days, due today, or overdue, to compliance (at most once each)."""
    compliance = tuple(active_users_with_role(COMPLIANCE))
    window_end = today + timedelta(days=30)
    # The database keeps the transfers last checked (or started) at least 12 months less 30 days ago, with
    # a day to spare, as months taken from a month's end do not undo months added (Feb 29); the due date
    # decides.
    transfers = (
        ForeignTransfer.objects.filter(route=Route.STANDARD_CONFORMING_SYSTEM, status=Status.ACTIVE)
        .annotate(checked_from=checked_from())
        .filter(checked_from__lte=window_end + timedelta(days=1) - STALE_AFTER)
        .select_related("vendor", "country")
    )
    reminders = []
    for transfer in transfers:
        due = transfer.checked_from + STALE_AFTER
        if due > window_end:
            continue
        days_left = (due - today).days
        kind, threshold = (
            (CHECK_OVERDUE, 0) if days_left < 0 else (CHECK_REMINDER, 0 if days_left == 0 else 30)
        )
        reminders.append(
            Reminder(
                kind=kind,
                subject=transfer,
                deadline=due,
                threshold=threshold,
                recipients=compliance,
                template="transfers/email/check",
                context={"transfer": transfer, "vendor": transfer.vendor, "days_left": days_left},
            )
        )
    done = fully_sent(reminders)
    yield from (r for r in reminders if (r.kind, r.subject.pk, r.deadline, r.threshold) not in done)


def due_correction_reminders(today: date):
    compliance = tuple(active_users_with_role(COMPLIANCE))
    checks = (
        PeriodicCheck.objects.filter(
            result=PeriodicCheck.Result.IMPEDED, correction_due_on__lt=today, transfer__status=Status.ACTIVE
        )
        .exclude(
            Exists(
                PeriodicCheck.objects.filter(
                    transfer=OuterRef("transfer"), checked_on__gt=OuterRef("checked_on")
                )
            )
        )
        .filter(not_fully_sent(CORRECTION_OVERDUE, PeriodicCheck, 0, OuterRef("correction_due_on")))
        .select_related("transfer__vendor")
    )
    for check in checks:
        yield Reminder(
            kind=CORRECTION_OVERDUE,
            subject=check,
            deadline=check.correction_due_on,
            threshold=0,
            recipients=compliance,
            template="transfers/email/correction",
            context={"check": check, "transfer": check.transfer, "vendor": check.transfer.vendor},
        )


def due_stale_country_reminders(today: date):
    """Countries used by active or planned transfers whose protection information is going stale."""
    compliance = tuple(active_users_with_role(COMPLIANCE))
    in_use = ForeignTransfer.objects.filter(
        country=OuterRef("pk"), status__in=(Status.ACTIVE, Status.PLANNED)
    )
    countries = Country.objects.filter(Exists(in_use), ppc_equivalent=False).filter(
        Q(information_reviewed_on__isnull=True)
        | Q(information_reviewed_on__lte=today - STALE_AFTER + timedelta(days=30))
    )
    for country in countries:
        stale_on = country.information_reviewed_on + STALE_AFTER if country.information_reviewed_on else None
        yield Reminder(
            kind=COUNTRY_STALE,
            subject=country,
            # Never reviewed: a fixed date keys the reminder, so it is sent once, not every day.
            deadline=stale_on or NEVER_REVIEWED,
            threshold=0,
            recipients=compliance,
            template="transfers/email/country",
            context={"country": country, "stale_on": stale_on},
        )


@reminder_source("transfers")
def transfer_reminders(today: date):
    yield from due_check_reminders(today)
    yield from due_correction_reminders(today)
    yield from due_stale_country_reminders(today)


def send_transfer_reminders(*, today: date | None = None) -> int:
    """Send every transfer reminder due on `today`; returns the number of emails sent."""
    return run_reminders(today=today, only=["transfers"])["transfers"].sent
