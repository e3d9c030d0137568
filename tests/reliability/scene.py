"""A register where every reminder kind is due on one day, and how to count what reached whom.

On DAY: two contract notices and a contract that ended without successor, an assessment about to expire
(its re-assessment is prepared by the same run) with an overdue finding, a transfer whose periodic check
is due, one whose demanded correction is overdue, and a country whose information is going stale. The
vendor owner chose the daily digest, so their three contract reminders go out as one digest email.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.core import mail

from assessments.models import Finding
from contracts.models import ProtectionContract
from core.models import ReminderLog, UserProfile
from core.roles import COMPLIANCE, PROCUREMENT
from transfers.models import ForeignTransfer

from ..factories import (
    CountryFactory,
    ForeignTransferFactory,
    ForeignVendorFactory,
    PeriodicCheckFactory,
    SystemTransferFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
    approved_assessment_for,
)

DAY = date(2027, 6, 1)

# (kind, recipient username) of every reminder due on DAY; "vendorowner" gets hers in the digest.
DUE = Counter(
    {
        ("contract_notice", "owner"): 2,
        ("contract_notice", "vendorowner"): 2,
        ("contract_expired", "owner"): 1,
        ("contract_expired", "vendorowner"): 1,
        ("contract_expired", "compliance1"): 1,
        ("contract_expired", "compliance2"): 1,
        ("assessment_expiry", "owner"): 1,
        ("finding_overdue", "owner"): 1,
        ("transfer_check", "compliance1"): 1,
        ("transfer_check", "compliance2"): 1,
        ("transfer_correction_overdue", "compliance1"): 1,
        ("transfer_correction_overdue", "compliance2"): 1,
        ("country_information_stale", "compliance1"): 1,
        ("country_information_stale", "compliance2"): 1,
    }
)
IN_DIGEST = sum(count for (_kind, username), count in DUE.items() if username == "vendorowner")
SEPARATE_EMAILS = DUE.total() - IN_DIGEST


@dataclass
class Scene:
    owner: object
    vendor_owner: object
    compliance: list


def contract_due(vendor, reference: str, deadline: date, **kwargs) -> ProtectionContract:
    """An active contract whose notice deadline is `deadline` (60 days' notice before its end)."""
    values = {
        "reference": reference,
        "starts_on": deadline - timedelta(days=400),
        "ends_on": deadline + timedelta(days=60),
        "notice_days": 60,
    }
    values.update(kwargs)
    return active_contract_for(vendor, **values)


def build_scene() -> Scene:
    owner = UserFactory(username="owner", first_name="Olive", last_name="Owner", roles=[PROCUREMENT])
    vendor_owner = UserFactory(username="vendorowner", first_name="Vera", roles=[PROCUREMENT])
    UserProfile.objects.filter(user=vendor_owner).update(daily_digest=True)
    compliance = [UserFactory(username=f"compliance{n}", roles=[COMPLIANCE]) for n in (1, 2)]

    vendor = VendorFactory(name="Kumo Call K.K.", owner=vendor_owner)
    contract_due(vendor, "PC-A", DAY + timedelta(days=30), owner=owner)
    contract_due(vendor, "PC-B", DAY + timedelta(days=7), owner=owner)
    contract_due(
        vendor,
        "PC-C",
        DAY - timedelta(days=61),
        owner=owner,
        status=ProtectionContract.Status.EXPIRED,
        ends_on=DAY - timedelta(days=1),
    )

    assessed = VendorFactory(name="Sora Data K.K.", owner=owner)
    approved = approved_assessment_for(assessed, valid_until=DAY + timedelta(days=30))
    Finding.objects.create(
        assessment=approved,
        description="Access logs are not kept.",
        due_on=DAY - timedelta(days=1),
        owner=owner,
    )

    fresh = CountryFactory(name_en="Checkland", information_reviewed_on=DAY - timedelta(days=10))
    checked = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Cloudy Inc."),
        country=fresh,
        status=ForeignTransfer.Status.ACTIVE,
        started_on=date(2025, 1, 1),
    )
    PeriodicCheckFactory(transfer=checked, checked_on=date(2026, 6, 11))  # the next one is due on DAY + 10
    impeded = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Leaky Inc."),
        country=fresh,
        status=ForeignTransfer.Status.ACTIVE,
        started_on=date(2025, 1, 1),
    )
    PeriodicCheckFactory(
        transfer=impeded,
        checked_on=DAY - timedelta(days=60),
        result="impeded",
        impediments="No access logs.",
        actions_demanded="Keep access logs for a year.",
        correction_due_on=DAY - timedelta(days=5),
    )
    ForeignTransferFactory(
        vendor=ForeignVendorFactory(name="Faraway Inc."),
        country=CountryFactory(name_en="Staleland", information_reviewed_on=date(2026, 6, 21)),
    )
    return Scene(owner, vendor_owner, compliance)


# --- counting ----------------------------------------------------------------------------------------------


def logged() -> Counter:
    """(kind, recipient username) of every ReminderLog row."""
    return Counter(ReminderLog.objects.values_list("kind", "recipient__username"))


def separate_emails() -> Counter:
    """(recipient, subject) of every email that is not a digest."""
    return Counter(
        (address, message.subject)
        for message in mail.outbox
        if "daily digest" not in message.subject
        for address in message.to
    )


def digest_lines() -> Counter:
    """(recipient, line) of every reminder listed in a digest email."""
    return Counter(
        (address, line[2:])
        for message in mail.outbox
        if "daily digest" in message.subject
        for address in message.to
        for line in message.body.splitlines()
        if line.startswith("- ")
    )


def assert_each_due_reminder_reached_its_person_once() -> None:
    """Every due reminder has its row, sent, and its one email or digest line; nothing else went out."""
    assert logged() == DUE
    rows = ReminderLog.objects.all()
    assert all(row.sent_at is not None and row.last_error == "" for row in rows), [
        (row.kind, row.recipient_id, row.sent_at, row.last_error) for row in rows
    ]
    emails = separate_emails()
    assert set(emails.values()) == {1}, emails
    assert emails.total() == SEPARATE_EMAILS
    lines = digest_lines()
    assert set(lines.values()) == {1}, lines
    expected_lines = Counter(("vendorowner@example.com", row.message) for row in rows.filter(via_digest=True))
    assert lines == expected_lines
    assert lines.total() == IN_DIGEST
