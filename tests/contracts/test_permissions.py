"""Who may open which contract page: the matrix of URLs and roles, and refused writes that change nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from contracts.models import Clause, ContractKind, ProtectionContract, ReentrustmentConsent

from ..conftest import ROLE_NAMES
from ..edit_forms import edit_token
from ..factories import (
    ReentrustmentConsentFactory,
    SubcontractorFactory,
    VendorFactory,
    active_contract_for,
    pdf_file,
    required_clauses,
)
from ..permissions import COMPLIANCE_ONLY, LOGIN_URL, READ, assert_table_covers, assert_write_refused

EDITORS = {"anonymous": 302, "viewer": 403, "procurement": 200, "compliance": 200, "superuser": 200}

# URL name -> (which object's pk it takes, expected GET status per role)
URLS = {
    "contracts:list": (None, READ),
    "contracts:export": (None, READ),
    "contracts:create": (None, EDITORS),
    "contracts:detail": ("contract", READ),
    "contracts:edit": ("contract", EDITORS),
    "contracts:activate": ("contract", EDITORS),
    "contracts:terminate": ("contract", EDITORS),
    "contracts:renew": ("active_contract", EDITORS),
    "contracts:document": ("contract", READ),
    "contracts:history": ("contract", READ),
    "contracts:consent_create": (None, EDITORS),
    "contracts:consent_detail": ("consent", READ),
    "contracts:consent_edit": ("consent", EDITORS),
    "contracts:consent_document": ("consent", READ),
    "contracts:consent_history": ("consent", READ),
    "contracts:clause_list": (None, READ),
    "contracts:clause_export": (None, READ),
    "contracts:clause_create": (None, COMPLIANCE_ONLY),
    "contracts:clause_detail": ("clause", READ),
    "contracts:clause_edit": ("clause", COMPLIANCE_ONLY),
    "contracts:clause_history": ("clause", READ),
}


@pytest.fixture
def objects(db):
    vendor = VendorFactory(name="Permission K.K.")
    contract = active_contract_for(
        vendor, reference="PC-PERM", title="Permission contract", status=ProtectionContract.Status.DRAFT
    )
    active_contract = active_contract_for(
        vendor, reference="PC-PERM-ACTIVE", title="Active permission contract"
    )
    subcontractor = SubcontractorFactory(name="Permission Sub K.K.", parent=vendor)
    consent = ReentrustmentConsentFactory(subcontractor=subcontractor, document=pdf_file("consent.pdf"))
    return {
        "vendor": vendor,
        "contract": contract,
        "active_contract": active_contract,
        "subcontractor": subcontractor,
        "consent": consent,
        "clause": Clause.objects.get(code="liability"),
    }


def url_of(name: str, objects) -> str:
    target, _expected = URLS[name]
    return reverse(name, args=[objects[target].pk] if target else [])


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("name", URLS)
def test_each_role_gets_the_expected_answer_on_each_contract_page(client_as, objects, name, role):
    expected = URLS[name][1][role]
    response = client_as(role).get(url_of(name, objects))
    assert response.status_code == expected, f"{role} GET {name}"
    if role == "anonymous":
        assert response.url.startswith(LOGIN_URL)


def test_every_contract_url_is_in_the_permission_table():
    assert_table_covers(URLS, prefix="contracts:")


# --- refused writes change nothing --------------------------------------------------------------------------

WRITES = {name for name, (_target, expected) in URLS.items() if expected is not READ}


def post_data(name: str, objects) -> dict:
    vendor, subcontractor = objects["vendor"], objects["subcontractor"]
    contract_form = {
        "vendor": vendor.pk,
        "kind": ContractKind.ENTRUSTMENT,
        "title": "Changed title",
        "reference": "PC-CHANGED",
        "signed_on": "2026-03-15",
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "renewal_months": "12",
        "notice_days": "60",
        "clauses": [c.pk for c in required_clauses(ContractKind.ENTRUSTMENT)],
    }
    consent_form = {
        "parent": vendor.pk,
        "subcontractor": subcontractor.pk,
        "scope_of_work": "Changed scope.",
        "consented_on": "2026-04-01",
        "consented_by": objects["consent"].consented_by_id,
    }
    clause_form = {
        "code": "changed",
        "title_en": "Changed",
        "title_ja": "変更",
        "required_for": ["joint_use"],
        "obligation": "must",
        "is_active": "on",
    }
    return {
        "contracts:create": contract_form,
        "contracts:edit": contract_form | edit_token(objects["contract"]),
        "contracts:activate": {},
        "contracts:terminate": {"reason": "Changed."},
        "contracts:renew": {},
        "contracts:consent_create": consent_form,
        "contracts:consent_edit": consent_form | edit_token(objects["consent"]),
        "contracts:clause_create": clause_form,
        "contracts:clause_edit": clause_form | edit_token(objects["clause"]),
    }[name]


def snapshot() -> tuple:
    """Everything a contract page could write: rows, M2M links and history versions."""
    return (
        list(ProtectionContract.objects.order_by("pk").values()),
        list(ProtectionContract.clauses.through.objects.order_by("pk").values()),
        list(ReentrustmentConsent.objects.order_by("pk").values()),
        list(Clause.objects.order_by("pk").values()),
        ProtectionContract.history.count(),
        ReentrustmentConsent.history.count(),
        Clause.history.count(),
    )


def refused_roles(name: str) -> list[str]:
    return [role for role, status in URLS[name][1].items() if status != 200]


def allowed_roles(name: str) -> list[str]:
    return [role for role, status in URLS[name][1].items() if status == 200]


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


def test_a_user_without_any_role_gets_403_on_every_contract_page(objects, roleless_user):
    client = Client()
    client.force_login(roleless_user)
    for name in URLS:
        assert client.get(url_of(name, objects)).status_code == 403, name
