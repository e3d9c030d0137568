"""Who may open which transfer page: the matrix of URLs and roles, and refused writes that change nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from transfers.models import (
    ConsentRecord,
    Country,
    ForeignTransfer,
    JointUseArrangement,
    PeriodicCheck,
    ProvisionRecord,
)

from ..conftest import ROLE_NAMES
from ..factories import (
    PDF_BYTES,
    ConsentRecordFactory,
    ConsentTransferFactory,
    ForeignVendorFactory,
    JointUseArrangementFactory,
    JointUserFactory,
    PeriodicCheckFactory,
    ProvisionRecordFactory,
    SystemTransferFactory,
    seeded_country,
)
from ..permissions import COMPLIANCE_ONLY, LOGIN_URL, READ, assert_table_covers, assert_write_refused

RECORD_KEEPERS = {"anonymous": 302, "viewer": 403, "procurement": 200, "compliance": 200, "superuser": 200}
# A button (POST only): GET is refused with 403 for a role without the right, 405 for a role with it.
COMPLIANCE_BUTTON = {"anonymous": 302, "viewer": 403, "procurement": 403, "compliance": 405, "superuser": 405}
ALLOWED = (200, 405)

# URL name -> (which object's pk it takes, expected GET status per role)
URLS = {
    "transfers:list": (None, READ),
    "transfers:export": (None, READ),
    "transfers:create": (None, COMPLIANCE_ONLY),
    "transfers:detail": ("transfer", READ),
    "transfers:edit": ("transfer", COMPLIANCE_ONLY),
    "transfers:activate": ("transfer", COMPLIANCE_BUTTON),
    "transfers:status": ("transfer", COMPLIANCE_ONLY),
    "transfers:check_create": ("transfer", COMPLIANCE_ONLY),
    "transfers:consent_create": ("consent_transfer", COMPLIANCE_ONLY),
    "transfers:disclosure": ("transfer", READ),
    "transfers:basis_document": ("transfer", READ),
    "transfers:history": ("transfer", READ),
    "transfers:check_history": ("check", READ),
    "transfers:consent_evidence": ("consent", READ),
    "transfers:consent_history": ("consent", READ),
    "transfers:joint_use_list": (None, READ),
    "transfers:joint_use_export": (None, READ),
    "transfers:joint_use_create": (None, COMPLIANCE_ONLY),
    "transfers:joint_use_detail": ("draft", READ),
    "transfers:joint_use_edit": ("draft", COMPLIANCE_ONLY),
    "transfers:joint_use_publish": ("draft", COMPLIANCE_BUTTON),
    "transfers:joint_use_revise": ("published", COMPLIANCE_ONLY),
    "transfers:joint_use_history": ("draft", READ),
    "transfers:record_list": (None, READ),
    "transfers:record_export": (None, READ),
    "transfers:record_create": (None, RECORD_KEEPERS),
    "transfers:record_detail": ("record", READ),
    "transfers:record_delete": ("expired_record", COMPLIANCE_BUTTON),
    "transfers:record_history": ("record", READ),
    "transfers:country_list": (None, READ),
    "transfers:country_export": (None, READ),
    "transfers:country_create": (None, COMPLIANCE_ONLY),
    "transfers:country_detail": ("country", READ),
    "transfers:country_edit": ("country", COMPLIANCE_ONLY),
    "transfers:country_history": ("country", READ),
}


def today():
    return timezone.localdate()


@pytest.fixture
def objects(db):
    transfer = SystemTransferFactory(vendor=ForeignVendorFactory(name="Permission Inc."))
    check = PeriodicCheckFactory(transfer=transfer)
    consent_transfer = ConsentTransferFactory()
    consent = ConsentRecordFactory(transfer=consent_transfer)
    joint_user = JointUserFactory(name="Permission Sister K.K.")
    draft = JointUseArrangementFactory(
        title="Permission draft", notice_published_on=today(), effective_on=today(), joint_users=[joint_user]
    )
    published = JointUseArrangementFactory(
        title="Permission published", status=JointUseArrangement.Status.PUBLISHED, joint_users=[joint_user]
    )
    record = ProvisionRecordFactory(recipient_name="Kept Inc.")
    expired_record = ProvisionRecordFactory(recipient_name="Expired Inc.")
    ProvisionRecord.objects.filter(pk=expired_record.pk).update(retain_until=today() - timedelta(days=1))
    return {
        "transfer": transfer,
        "check": check,
        "consent_transfer": consent_transfer,
        "consent": consent,
        "joint_user": joint_user,
        "draft": draft,
        "published": published,
        "record": record,
        "expired_record": expired_record,
        "country": seeded_country("US"),
    }


def url_of(name: str, objects) -> str:
    target, _expected = URLS[name]
    return reverse(name, args=[objects[target].pk] if target else [])


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("name", URLS)
def test_each_role_gets_the_expected_answer_on_each_transfer_page(client_as, objects, name, role):
    expected = URLS[name][1][role]
    response = client_as(role).get(url_of(name, objects))
    assert response.status_code == expected, f"{role} GET {name}"
    if role == "anonymous":
        assert response.url.startswith(LOGIN_URL)


def test_every_transfer_url_is_in_the_permission_table():
    assert_table_covers(URLS, prefix="transfers:")


def test_a_user_without_any_role_gets_403_on_every_transfer_page(objects, roleless_user):
    client = Client()
    client.force_login(roleless_user)
    for name in URLS:
        assert client.get(url_of(name, objects)).status_code == 403, name


# --- refused writes change nothing --------------------------------------------------------------------------

WRITES = {name for name, (_target, expected) in URLS.items() if expected is not READ}


def post_data(name: str, objects) -> dict:
    transfer_form = {
        "vendor": objects["transfer"].vendor_id,
        "country": seeded_country("DE").pk,
        "relationship": "entrustment",
        "route": "equivalent_country",
        "description": "Changed description.",
        "started_on": "",
        "ordinary_basis": "",
        "basis": "",
        "legal_ground": "",
        "legal_justification": "",
        "reason": "Changed.",
    }
    joint_use_form = {
        "title": "Changed joint use",
        "data_items": "Name.",
        "joint_users": [objects["joint_user"].pk],
        "scope_description": "Sister companies.",
        "purposes": "Support.",
        "responsible_party_name": "Changed Holdings K.K.",
        "responsible_party_address": "Tokyo",
        "responsible_party_representative": "Taro Yamada",
        "notice_method": "Website.",
        "notice_published_on": today().isoformat(),
        "effective_on": today().isoformat(),
    }
    published = objects["published"]
    revise_form = {
        "data_items": published.data_items,
        "joint_users": [objects["joint_user"].pk],
        "scope_description": published.scope_description,
        "purposes": published.purposes,
        "responsible_party_name": "Renamed Holdings K.K.",
        "responsible_party_address": published.responsible_party_address,
        "responsible_party_representative": published.responsible_party_representative,
        "notice_method": published.notice_method,
        "notice_published_on": "",
        "effective_on": "",
        "change_basis": "",
    }
    country_form = {
        "code": "QQ",
        "name_en": "Changed Country",
        "name_ja": "変更国",
        "has_protection_system": "true",
        "information_reviewed_on": today().isoformat(),
        "is_active": "on",
    }
    return {
        "transfers:create": transfer_form,
        "transfers:edit": transfer_form,
        "transfers:activate": {},
        "transfers:status": {"status": "ended", "reason": "No longer needed."},
        "transfers:check_create": {
            "checked_on": today().isoformat(),
            "implementation_status": "Audit report received.",
            "result": "ok",
        },
        "transfers:consent_create": {
            "information_given_on": (today() - timedelta(days=2)).isoformat(),
            "obtained_on": (today() - timedelta(days=1)).isoformat(),
            "country_name_given": "Testland",
            "recipient_measures": "Every OECD principle.",
            "whose_consent": "Applicants.",
            "method": "Check box",
            "evidence": SimpleUploadedFile("consent.pdf", PDF_BYTES, content_type="application/pdf"),
        },
        "transfers:joint_use_create": joint_use_form,
        "transfers:joint_use_edit": joint_use_form,
        "transfers:joint_use_publish": {},
        "transfers:joint_use_revise": revise_form,
        "transfers:record_create": {
            "kind": "single",
            "provided_on": today().isoformat(),
            "recipient_name": "New Recipient Inc.",
            "recipient_address": "Singapore",
            "individuals_description": "Applicants.",
            "data_items": "Name.",
        },
        "transfers:record_delete": {},
        "transfers:country_create": country_form,
        "transfers:country_edit": {**country_form, "code": "US"},
    }[name]


def snapshot() -> tuple:
    """Everything a transfer page could write: rows, M2M links and history versions."""
    return (
        list(ForeignTransfer.objects.order_by("pk").values()),
        list(ForeignTransfer.data_categories.through.objects.order_by("pk").values()),
        list(ForeignTransfer.purposes.through.objects.order_by("pk").values()),
        list(PeriodicCheck.objects.order_by("pk").values()),
        list(ConsentRecord.objects.order_by("pk").values()),
        list(JointUseArrangement.objects.order_by("pk").values()),
        list(JointUseArrangement.joint_users.through.objects.order_by("pk").values()),
        list(ProvisionRecord.objects.order_by("pk").values()),
        list(Country.objects.order_by("pk").values()),
        ForeignTransfer.history.count(),
        PeriodicCheck.history.count(),
        ConsentRecord.history.count(),
        JointUseArrangement.history.count(),
        ProvisionRecord.history.count(),
        Country.history.count(),
    )


def refused_roles(name: str) -> list[str]:
    return [role for role, status in URLS[name][1].items() if status not in ALLOWED]


def allowed_roles(name: str) -> list[str]:
    return [role for role, status in URLS[name][1].items() if status in ALLOWED]


@pytest.mark.parametrize(
    ("name", "role"), [(name, role) for name in sorted(WRITES) for role in refused_roles(name)]
)
def test_a_post_by_a_role_without_the_right_is_refused_and_changes_nothing(client_as, objects, name, role):
    before = snapshot()
    response = client_as(role).post(url_of(name, objects), post_data(name, objects))
    assert_write_refused(response, role, name)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "role"), [(name, role) for name in sorted(WRITES) for role in allowed_roles(name)]
)
def test_the_same_post_by_a_role_with_the_right_changes_something(client_as, objects, name, role):
    """Proves the refused POSTs above would have written: the data is valid and the page acts on it."""
    before = snapshot()
    response = client_as(role).post(url_of(name, objects), post_data(name, objects))
    assert response.status_code == 302, f"{role} POST {name}"
    assert snapshot() != before
