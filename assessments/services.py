"""Due-diligence assessments: standards and their versions, answering, scoring, review, re-assessment."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.history import require_unchanged, save_with_history
from core.reminders import Reminder, not_fully_sent, reminder_source, run_reminders
from core.roles import COMPLIANCE, PROCUREMENT, active_users_with_role, has_role
from vendors.models import Vendor

from . import excel
from .models import Answer, Assessment, Criterion, Finding, Standard
from .scoring import ScoreCard, score_answers
from .selectors import answer_versions, applicable_criteria, questionnaire_answers

Status = Assessment.Status
EXPIRY_REMINDER = "assessment_expiry"
EXPIRED_REMINDER = "assessment_expired"
FINDING_REMINDER = "finding_overdue"


# --- standards -----------------------------------------------------------------------------------


def require_compliance(user) -> None:
    if not has_role(user, COMPLIANCE):
        raise PermissionDenied(_("Only compliance may change internal standards or decide assessments."))


def require_preparer(user) -> None:
    if not has_role(user, PROCUREMENT):
        raise PermissionDenied(_("Only procurement prepares assessments."))


def current_standard(name: str | None = None) -> Standard | None:
    published = Standard.objects.filter(status=Standard.Status.PUBLISHED)
    if name:
        published = published.filter(name=name)
    return published.order_by("-published_on", "-pk").first()


def standard_save(*, standard: Standard, user, reason: str = "", version: int | None = None) -> Standard:
    require_compliance(user)
    if not standard._state.adding:
        stored = Standard.objects.get(pk=standard.pk)
        if stored.is_frozen:
            raise ValidationError(
                _("A %(status)s standard is frozen; copy it to a new draft version to change it.")
                % {"status": stored.get_status_display().lower()}
            )
    return save_with_history(standard, user=user, reason=reason, version=version)


def criterion_save(*, criterion: Criterion, user, reason: str = "", version: int | None = None) -> Criterion:
    require_compliance(user)
    # Criterion.clean (and save, for writes that skip it) refuses frozen standards.
    return save_with_history(criterion, user=user, reason=reason, version=version)


def standard_copy(*, standard: Standard, user) -> Standard:
    """The next version as a draft: same settings and criteria, ready to edit."""
    require_compliance(user)
    with transaction.atomic():
        latest = Standard.objects.filter(name=standard.name).order_by("-version").first()
        draft = Standard(
            name=standard.name,
            version=latest.version + 1,
            pass_score=standard.pass_score,
            conditional_score=standard.conditional_score,
            notes=standard.notes,
            copied_from=standard,
        )
        save_with_history(draft, user=user, reason=_("Copied from version %(v)s.") % {"v": standard.version})
        for criterion in standard.criteria.all():
            criterion.pk = None
            criterion._state.adding = True
            criterion.standard = draft
            save_with_history(
                criterion, user=user, reason=_("Copied from version %(v)s.") % {"v": standard.version}
            )
    return draft


def standard_publish(*, standard: Standard, user) -> Standard:
    """Publish a draft version; the version published before it is retired."""
    require_compliance(user)
    with transaction.atomic():
        current = Standard.objects.select_for_update().get(pk=standard.pk)
        problems = []
        if current.status != Standard.Status.DRAFT:
            problems.append(
                _("Only a draft can be published; this version is %(status)s.")
                % {"status": current.get_status_display().lower()}
            )
        if not current.criteria.exists():
            problems.append(_("A standard needs at least one criterion."))
        if problems:
            raise ValidationError(problems)
        for previous in Standard.objects.select_for_update().filter(
            name=current.name, status=Standard.Status.PUBLISHED
        ):
            previous.status = Standard.Status.RETIRED
            save_with_history(
                previous, user=user, reason=_("Retired by version %(v)s.") % {"v": current.version}
            )
        current.status = Standard.Status.PUBLISHED
        current.published_on = timezone.localdate()
        save_with_history(current, user=user, reason=_("Published."))
    standard.refresh_from_db()
    return standard


# --- assessments ---------------------------------------------------------------------------------


def assessment_create(
    *,
    vendor: Vendor,
    user,
    kind: str = Assessment.Kind.INITIAL,
    standard: Standard | None = None,
    follows: Assessment | None = None,
) -> Assessment:
    """A draft with one empty answer for every criterion that applies to the vendor."""
    if user is not None:
        require_preparer(user)
    standard = standard or current_standard()
    if standard is None or standard.status != Standard.Status.PUBLISHED:
        raise ValidationError(_("Assessments are answered against a published standard."))
    if vendor.status == Vendor.Status.TERMINATED:
        raise ValidationError(_("The vendor is terminated: it is no longer assessed."))
    with transaction.atomic():
        assessment = Assessment(
            vendor=vendor, standard=standard, kind=kind, prepared_by=user, follows=follows
        )
        save_with_history(
            assessment, user=user, reason=_("Prepared against %(standard)s.") % {"standard": standard}
        )
        # One insert for the empty answers (and one for their first versions), not one save per criterion.
        bulk_create_with_history(
            [Answer(assessment=assessment, criterion=c) for c in applicable_criteria(standard, vendor)],
            Answer,
            default_user=user,
        )
    return assessment


def _require_editable(assessment: Assessment) -> None:
    if not assessment.is_editable:
        raise ValidationError(
            _("Only a draft or returned assessment can be changed; this one is %(status)s.")
            % {"status": assessment.get_status_display().lower()}
        )


def _locked_editable(assessment: Assessment) -> Assessment:
    current = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    _require_editable(current)
    return current


def answer_save(*, answer: Answer, user, reason: str = "") -> Answer:
    require_preparer(user)
    _require_editable(answer.assessment)
    if answer.response == Answer.Response.NA and answer.criterion.is_critical:
        raise ValidationError(
            {
                "response": _("%(code)s is critical: “not applicable” is not accepted.")
                % {"code": answer.criterion.code}
            }
        )
    with transaction.atomic():
        answer.assessment = _locked_editable(answer.assessment)  # a concurrent submit waits for this
        save_with_history(answer, user=user, reason=reason)
        if answer.assessment.prepared_by_id is None:
            answer.assessment.prepared_by = user
            save_with_history(answer.assessment, user=user, reason=reason)
    return answer


def assessment_add_missing_answers(*, assessment: Assessment, user) -> None:
    """Store a blank answer for each criterion asked that has none yet; nothing once it cannot change.

    The answers page is a formset of stored answers (its edit token is their newest version, evidence is
    uploaded onto a row), so every question it shows needs a row: they are added here, when it is opened.
    Not by a signal when the assessment is created: code creating an assessment and then its answers itself
    (Answer.objects.create) would collide with the unique (assessment, criterion) constraint.
    """
    require_preparer(user)
    with transaction.atomic():
        current = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("vendor", "standard")
            .get(pk=assessment.pk)
        )
        if not current.is_editable:
            return
        missing = [answer for answer in questionnaire_answers(current) if answer.pk is None]
        if missing:
            # Written as the system's, not the user's: opening the page answers nothing, and whoever answers
            # may not review (preparers), which a reviewer merely looking at the page must not become. (An
            # explicit None: otherwise simple-history takes the request's user.)
            for answer in missing:
                answer._history_user = None
            bulk_create_with_history(
                missing,
                Answer,
                default_change_reason=_("Blank answers added for the criteria the standard asks."),
            )


def answers_save(*, assessment: Assessment, answers: list[Answer], user, version: int | None = None) -> None:
    """Save the answers changed on the questionnaire page, all or none.

    `version` is the page's selectors.answers_version() when it was opened: if an answer was saved since (by
    someone else on the page, or a questionnaire import), every answer on the page may be stale, so none is
    saved.
    """
    require_preparer(user)
    if not answers:  # the page as stored (answers are compared with their stored values): nothing to lose
        return
    with transaction.atomic():
        _locked_editable(assessment)
        require_unchanged(assessment, version, history=answer_versions(assessment))
        for answer in answers:
            answer_save(answer=answer, user=user)


@dataclass(frozen=True)
class ImportResult:
    filename: str
    new: int
    changed: int
    unchanged: int


def assessment_import_questionnaire(*, assessment: Assessment, user, file) -> ImportResult:
    """Answers from a filled-in questionnaire: all validated first, then saved together, or nothing at all."""
    require_preparer(user)
    _require_editable(assessment)
    responses = excel.read_questionnaire(assessment=assessment, file=file)  # raises listing every problem
    filename = file.name.rsplit("/", 1)[-1]
    reason = _("Imported from %(file)s.") % {"file": filename}
    new = changed = unchanged = 0
    with transaction.atomic():
        assessment = _locked_editable(assessment)  # a concurrent submit must not see answers change under it
        _require_no_answer_changed_since(assessment, excel.questionnaire_answers_version(file), user=user)
        # Criteria asked but without a row yet (an assessment made outside assessment_create) get one here.
        for answer in questionnaire_answers(assessment):
            if answer.criterion.code not in responses:
                continue
            response, comment = responses[answer.criterion.code]
            if not response and not comment:
                # An empty row leaves the answer as it is: an older download must not wipe newer answers.
                unchanged += 1
                continue
            if (response, comment) == (answer.response, answer.comment):
                unchanged += 1
                continue
            if answer.response or answer.comment:
                changed += 1
            else:
                new += 1
            answer.response, answer.comment = response, comment
            save_with_history(answer, user=user, reason=reason)
        if assessment.prepared_by_id is None:
            assessment.prepared_by = user
            save_with_history(assessment, user=user, reason=reason)
    return ImportResult(filename, new, changed, unchanged)


def _require_no_answer_changed_since(assessment: Assessment, downloaded: int | None, *, user) -> None:
    """Refuse a workbook downloaded before someone else changed an answer: importing it would put the old
    answers back (a lost update). The uploader's own changes since, and the system's, do not count."""
    if downloaded is None:  # a workbook from before downloads carried the token
        return
    newer = (
        answer_versions(assessment)
        .filter(history_id__gt=downloaded)
        .exclude(history_user=None)
        .exclude(history_user=user)
        .select_related("history_user")
        .order_by("-history_id")
        .first()
    )
    if newer is not None:
        raise ValidationError(
            _(
                "Answers of this assessment were changed by %(user)s at %(date)s, after this workbook was "
                "downloaded: nothing was imported. Download the questionnaire again, copy the vendor's "
                "answers into it, and upload that."
            )
            % {
                "user": newer.history_user.get_full_name() or newer.history_user.username,
                "date": date_format(timezone.localtime(newer.history_date), "Y-m-d H:i"),
            },
            code="edit_conflict",
        )


def assessment_score(assessment: Assessment, answers=None) -> ScoreCard:
    """The score card of the criteria asked (answers to criteria that do not apply do not count)."""
    answers = answers if answers is not None else questionnaire_answers(assessment)
    return score_answers(
        ((a.criterion, a.response) for a in answers),
        pass_score=assessment.standard.pass_score,
        conditional_score=assessment.standard.conditional_score,
    )


def submission_blockers(assessment: Assessment) -> list[str]:
    problems = []
    if not assessment.is_editable:
        problems.append(
            _("Only a draft or returned assessment can be submitted; this one is %(status)s.")
            % {"status": assessment.get_status_display().lower()}
        )
    answers = questionnaire_answers(assessment)  # every criterion asked, with a row or not
    unanswered = [a.criterion.code for a in answers if not a.response]
    if unanswered:
        problems.append(_("Unanswered criteria: %(codes)s.") % {"codes": ", ".join(unanswered)})
    na_critical = [
        a.criterion.code for a in answers if a.response == Answer.Response.NA and a.criterion.is_critical
    ]
    if na_critical:
        problems.append(
            _("Critical criteria cannot be “not applicable”: %(codes)s.") % {"codes": ", ".join(na_critical)}
        )
    no_evidence = [
        a.criterion.code
        for a in answers
        if a.criterion.evidence_required
        and not a.evidence
        and a.response in (Answer.Response.YES, Answer.Response.PARTIAL)
    ]
    if no_evidence:
        problems.append(_("Evidence is required for: %(codes)s.") % {"codes": ", ".join(no_evidence)})
    if not answers:
        problems.append(_("No criterion of the standard applies to this vendor."))
    return problems


def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    """Submit for review: every applicable criterion answered and evidenced; stores the score and result."""
    require_preparer(user)
    with transaction.atomic():
        current = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("standard")
            .get(pk=assessment.pk)
        )
        problems = submission_blockers(current)
        if problems:
            raise ValidationError(problems)
        card = assessment_score(current)
        current.score, current.result = card.score, card.result
        current.status = Status.SUBMITTED
        current.submitted_by = user
        current.submitted_at = timezone.now()
        current.prepared_by = current.prepared_by or user
        save_with_history(current, user=user, reason=_("Submitted for review."))
    assessment.refresh_from_db()
    return assessment


DECISION_TIME_FORMAT = "Y-m-d H:i"


def preparers(assessment: Assessment) -> set[int]:
    """Everyone who prepared, answered or submitted the assessment: none of them may review it."""
    answered = Answer.history.filter(assessment_id=assessment.pk).exclude(history_user=None)
    return {assessment.prepared_by_id, assessment.submitted_by_id} | set(
        answered.values_list("history_user_id", flat=True)
    )


def _lock_for_decision(assessment: Assessment, user) -> Assessment:
    """The row, locked, after checking that it still awaits a decision and that `user` may take it."""
    require_compliance(user)
    # Joined rows are not re-read after waiting for the lock: the reviewer is loaded once the row is ours.
    current = (
        Assessment.objects.select_for_update(of=("self",)).select_related("vendor").get(pk=assessment.pk)
    )
    problems = []
    if current.status != Status.SUBMITTED:
        if current.decided_at and current.reviewed_by:
            problems.append(
                _("%(user)s already decided this assessment (%(status)s) at %(when)s.")
                % {
                    "user": current.reviewed_by.get_full_name() or current.reviewed_by.get_username(),
                    "status": current.get_status_display().lower(),
                    "when": date_format(timezone.localtime(current.decided_at), DECISION_TIME_FORMAT),
                }
            )
        else:
            problems.append(
                _("Only a submitted assessment can be decided; this one is %(status)s.")
                % {"status": current.get_status_display().lower()}
            )
    if user.pk in preparers(current):
        problems.append(_("You prepared or submitted this assessment: someone else must review it."))
    if problems:
        raise ValidationError(problems)
    return current


def _decide(current: Assessment, *, user, status: str, note: str) -> None:
    current.status = status
    current.reviewed_by = user
    current.decided_at = timezone.now()
    current.decision_note = note.strip()
    save_with_history(current, user=user, reason=note.strip() or _("Approved."))


def validity_months(vendor: Vendor) -> int:
    return settings.ASSESSMENT_VALIDITY_MONTHS[vendor.risk_tier]


def approval_blockers(assessment: Assessment) -> list[str]:
    if assessment.result == Assessment.Result.PASS:
        return []
    if assessment.result == Assessment.Result.CONDITIONAL:
        if assessment.findings.filter(status=Finding.Status.OPEN, due_on__isnull=False).exists():
            return []
        return [
            _(
                "A conditional result can be approved only with at least one open remediation finding "
                "that has a due date."
            )
        ]
    return [_("A failed assessment cannot be approved.")]


def assessment_approve(*, assessment: Assessment, user, note: str = "") -> Assessment:
    with transaction.atomic():
        current = _lock_for_decision(assessment, user)
        problems = approval_blockers(current)
        if problems:
            raise ValidationError(problems)
        current.valid_until = timezone.localdate() + relativedelta(months=validity_months(current.vendor))
        _decide(current, user=user, status=Status.APPROVED, note=note)
    assessment.refresh_from_db()
    return assessment


def _decide_with_note(assessment: Assessment, *, user, note: str, status: str, action: str) -> Assessment:
    with transaction.atomic():
        current = _lock_for_decision(assessment, user)
        if not (note or "").strip():
            raise ValidationError(_("Write a note saying why you %(action)s it.") % {"action": action})
        _decide(current, user=user, status=status, note=note)
    assessment.refresh_from_db()
    return assessment


def assessment_reject(*, assessment: Assessment, user, note: str) -> Assessment:
    return _decide_with_note(assessment, user=user, note=note, status=Status.REJECTED, action=_("reject"))


def assessment_return(*, assessment: Assessment, user, note: str) -> Assessment:
    return _decide_with_note(assessment, user=user, note=note, status=Status.RETURNED, action=_("return"))


def finding_save(*, finding: Finding, user, reason: str = "", version: int | None = None) -> Finding:
    if not has_role(user, COMPLIANCE, PROCUREMENT):
        raise PermissionDenied(_("Only procurement or compliance record findings."))
    return save_with_history(finding, user=user, reason=reason, version=version)


# --- what assessments mean for a vendor ----------------------------------------------------------


def valid_q(day: date) -> Q:
    """Assessments valid on `day`: the one condition behind valid_assessment and the coverage-gap filter."""
    return Q(status=Status.APPROVED, valid_until__gte=day)


def valid_assessment(vendor: Vendor, day: date | None = None) -> Assessment | None:
    day = day or timezone.localdate()
    return vendor.assessments.filter(valid_q(day)).order_by("-valid_until").first()


def vendor_assessment_blockers(vendor: Vendor) -> list[str]:
    """Gate for approval: an approved assessment valid today."""
    if valid_assessment(vendor):
        return []
    return [_("No approved due-diligence assessment is valid today.")]


# --- re-assessment and reminders -----------------------------------------------------------------


def _latest_approved():
    """Approved assessments not overtaken by a later approved one of the same vendor."""
    later = Assessment.objects.filter(
        vendor=OuterRef("vendor"), status=Status.APPROVED, valid_until__gt=OuterRef("valid_until")
    )
    return (
        Assessment.objects.filter(status=Status.APPROVED)
        .exclude(Exists(later))
        .exclude(vendor__status=Vendor.Status.TERMINATED)
    )


def schedule_reassessments(*, today: date | None = None) -> int:
    """Prepare the next periodic assessment (once) when an approved one is within the lead time of expiry."""
    today = today or timezone.localdate()
    due = (
        _latest_approved()
        .filter(
            valid_until__lte=today + timedelta(days=settings.REASSESSMENT_LEAD_DAYS), follow_up__isnull=True
        )
        .select_related("vendor")
    )
    created = 0
    for previous in due:
        try:
            with transaction.atomic():
                assessment_create(
                    vendor=previous.vendor, user=None, kind=Assessment.Kind.PERIODIC, follows=previous
                )
        except IntegrityError:
            continue  # a concurrent run prepared it: `follows` is unique
        except ValidationError:
            # The same, when that run committed before this one's full_clean looked at `follows`.
            if not Assessment.objects.filter(follows=previous).exists():
                raise
            continue
        created += 1
    return created


def due_expiry_reminders(today: date):
    thresholds = sorted(set(settings.ASSESSMENT_REMINDER_DAYS), reverse=True)
    base = _latest_approved().select_related("vendor", "vendor__owner__profile", "standard")
    for index, threshold in enumerate(thresholds):
        window = Q(valid_until__lte=today + timedelta(days=threshold))
        window &= (
            Q(valid_until__gt=today + timedelta(days=thresholds[index + 1]))
            if index + 1 < len(thresholds)
            else Q(valid_until__gte=today)
        )
        for assessment in base.filter(window).filter(
            not_fully_sent(EXPIRY_REMINDER, Assessment, threshold, OuterRef("valid_until"))
        ):
            yield Reminder(
                kind=EXPIRY_REMINDER,
                subject=assessment,
                deadline=assessment.valid_until,
                threshold=threshold,
                recipients=(assessment.vendor.owner,),
                template="assessments/email/expiry",
                context={
                    "assessment": assessment,
                    "vendor": assessment.vendor,
                    "days_left": (assessment.valid_until - today).days,
                },
            )
    compliance = active_users_with_role(COMPLIANCE)
    expired = base.filter(valid_until__lt=today).filter(
        not_fully_sent(EXPIRED_REMINDER, Assessment, 0, OuterRef("valid_until"))
    )
    for assessment in expired:
        yield Reminder(
            kind=EXPIRED_REMINDER,
            subject=assessment,
            deadline=assessment.valid_until,
            threshold=0,
            recipients=(assessment.vendor.owner, *compliance),
            template="assessments/email/expired",
            context={
                "assessment": assessment,
                "vendor": assessment.vendor,
                "days_since": (today - assessment.valid_until).days,
            },
        )


def finding_past_due_q(day: date) -> Q:
    """Findings still open after their due date (one finding: Finding.is_past_due)."""
    return Q(status=Finding.Status.OPEN, due_on__lt=day)


def due_finding_reminders(today: date):
    overdue = (
        Finding.objects.filter(finding_past_due_q(today))
        .filter(not_fully_sent(FINDING_REMINDER, Finding, 0, OuterRef("due_on")))
        .select_related("owner__profile", "assessment__vendor")
    )
    for finding in overdue:
        yield Reminder(
            kind=FINDING_REMINDER,
            subject=finding,
            deadline=finding.due_on,
            threshold=0,
            recipients=(finding.owner,),
            template="assessments/email/finding",
            context={
                "finding": finding,
                "vendor": finding.assessment.vendor,
                "days_overdue": (today - finding.due_on).days,
            },
        )


@reminder_source("assessments")
def assessment_reminders(today: date):
    # The daily run also prepares the due re-assessments, so their owners are reminded of a draft
    # that exists; preparing is idempotent (`follows` is unique).
    schedule_reassessments(today=today)
    yield from due_expiry_reminders(today)
    yield from due_finding_reminders(today)


def send_assessment_reminders(*, today: date | None = None) -> int:
    """Send every assessment and finding reminder due on `today`; returns the number of emails sent."""
    return run_reminders(today=today, only=["assessments"])["assessments"].sent
