"""Tamper-evident history: each version is sealed and chained to the one before it (core.history_chain);
`verify_history` and the daily task catch rows changed, deleted or inserted directly in the database."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_update_with_history

from contracts.services import contract_save, contract_terminate
from core.history_chain import spec_for
from core.history_integrity import (
    ALTERED,
    PREDECESSOR_MISSING,
    ROWS_MISSING,
    UNSEALED,
    Finding,
    run_verification,
    verify,
)
from core.models import HistoryAlert, HistoryVerification
from core.roles import COMPLIANCE
from core.tasks import verify_history
from vendors.models import Contact, DataCategory, Vendor
from vendors.services import contact_save, vendor_delete, vendor_save

from ..factories import (
    ContactFactory,
    DataCategoryFactory,
    ProtectionContractFactory,
    UserFactory,
    VendorFactory,
    answered_assessment,
)

pytestmark = pytest.mark.django_db


def sql(statement: str, *params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def table(model) -> str:
    return connection.ops.quote_name(model.history.model._meta.db_table)


def versions_of(obj) -> list[int]:
    """The history_ids of `obj`'s versions, oldest first."""
    return list(
        type(obj).history.filter(id=obj.pk).order_by("history_id").values_list("history_id", flat=True)
    )


@pytest.fixture
def story(procurement_user, compliance_user):
    """Edits through the services: creations, M2M changes, a contract and its termination, a contact, answers
    (bulk-created versions), a reference-data bulk update, and a deletion."""
    customers = DataCategoryFactory(code="customers", name_en="Customers")
    applicants = DataCategoryFactory(code="applicants", name_en="Applicants")
    sakura = vendor_save(
        vendor=VendorFactory.build(name="Sakura K.K.", owner=procurement_user),
        user=procurement_user,
        reason="Onboarding.",
        data_categories=[customers],
    )
    contract = contract_save(
        contract=ProtectionContractFactory.build(vendor=sakura, reference="PC-SEAL-1", title="Hosting"),
        user=procurement_user,
        reason="Drafted.",
    )
    sakura.name = "Sakura Data K.K."
    vendor_save(
        vendor=sakura, user=procurement_user, reason="Renamed.", data_categories=[customers, applicants]
    )
    sakura.name = "Sakura Data Holdings K.K."
    vendor_save(vendor=sakura, user=procurement_user, reason="Renamed again.")
    contact_save(contact=ContactFactory.build(vendor=sakura, name="Aoi Sato"), user=procurement_user)
    contract_terminate(contract=contract, user=compliance_user, reason="Vendor closed the service.")
    answered_assessment(sakura, preparer=procurement_user)
    customers.name_ja = "顧客"
    customers._change_reason = "Japanese name."
    bulk_update_with_history([customers], DataCategory, ["name_ja"], default_user=compliance_user)
    mistake = vendor_save(
        vendor=VendorFactory.build(name="Mistake K.K.", owner=procurement_user),
        user=procurement_user,
        data_categories=[applicants],
    )
    vendor_delete(vendor=mistake, user=procurement_user, reason="Entered by mistake.")
    return {"sakura": sakura, "contract": contract}


# --- what is intact -----------------------------------------------------------------------------------------


def test_edits_made_through_the_services_and_the_seeded_history_verify_clean(story):
    report = verify()

    assert report.findings == []
    assert report.is_intact
    assert len(versions_of(story["sakura"])) == 3
    assert report.rows_checked > 100  # the migrations' seeded reference data is sealed too


def test_each_version_chains_to_the_one_before_it(story):
    rows = list(
        Vendor.history.filter(id=story["sakura"].pk)
        .order_by("history_id")
        .values_list("history_hash", "history_previous_hash")
    )

    assert rows[0][1] == ""
    assert [previous for _, previous in rows[1:]] == [seal for seal, _ in rows[:-1]]
    assert all(len(seal) == 64 for seal, _ in rows)


def test_changing_a_live_row_directly_in_the_database_is_not_a_history_tamper(story):
    # The live row is not history: what the application wrote is still in the history, unchanged. The next
    # save through a service records the live row as it is then.
    sql(f"UPDATE {connection.ops.quote_name(Vendor._meta.db_table)} SET name = %s", "Changed in SQL K.K.")

    assert verify().is_intact


def test_a_version_sealed_with_another_key_is_caught(story):
    # Without the key, an edited row cannot be resealed: a seal computed with any other key does not match.
    history_id = versions_of(story["sakura"])[1]
    row = Vendor.history.get(history_id=history_id)
    row.name = "Never renamed K.K."
    spec = spec_for(type(row))
    with override_settings(HISTORY_HMAC_KEY="guessed"):
        forged = spec.digest([getattr(row, n) for n in spec.attnames], {}, row.history_previous_hash)
    sql(
        f"UPDATE {table(Vendor)} SET name = %s, history_hash = %s WHERE history_id = %s",
        row.name,
        forged,
        history_id,
    )

    assert (ALTERED, history_id) in [(f.problem, f.history_id) for f in verify().findings]


# --- what is caught -----------------------------------------------------------------------------------------


def test_an_update_of_a_version_through_sql_is_caught_and_named(story):
    sakura = story["sakura"]
    history_id = versions_of(sakura)[1]

    assert sql(f"UPDATE {table(Vendor)} SET name = %s WHERE history_id = %s", "Other K.K.", history_id) == 1

    assert verify().findings == [Finding("vendors.vendor", ALTERED, sakura.pk, history_id)]


def test_changing_who_made_a_change_is_caught(story, procurement_user):
    terminated = versions_of(story["contract"])[-1]  # by the compliance user
    sql(
        f"UPDATE {table(story['contract'])} SET history_user_id = %s WHERE history_id = %s",
        procurement_user.pk,
        terminated,
    )

    assert verify().findings == [
        Finding("contracts.protectioncontract", ALTERED, story["contract"].pk, terminated)
    ]


def test_changing_a_versions_m2m_set_is_caught_on_that_version(story):
    sakura = story["sakura"]
    renamed = versions_of(sakura)[1]  # customers and applicants
    historical_m2m = HistoricalRecords.m2m_models[Vendor._meta.get_field("data_categories")]
    sql(
        f"DELETE FROM {connection.ops.quote_name(historical_m2m._meta.db_table)} "
        "WHERE history_id = %s AND datacategory_id = %s",
        renamed,
        DataCategory.objects.get(code="applicants").pk,
    )

    assert verify().findings == [Finding("vendors.vendor", ALTERED, sakura.pk, renamed)]


def test_deleting_a_middle_version_is_caught_on_the_version_after_it(story):
    sakura = story["sakura"]
    _, middle, last = versions_of(sakura)

    assert sql(f"DELETE FROM {table(Vendor)} WHERE history_id = %s", middle) == 1

    assert verify().findings == [Finding("vendors.vendor", PREDECESSOR_MISSING, sakura.pk, last)]


def test_deleting_the_first_version_is_caught(story):
    sakura = story["sakura"]
    first, second, _ = versions_of(sakura)
    sql(f"DELETE FROM {table(Vendor)} WHERE history_id = %s", first)

    assert verify().findings == [Finding("vendors.vendor", PREDECESSOR_MISSING, sakura.pk, second)]


def test_deleting_the_newest_version_is_caught_against_the_last_verification(story):
    # No chain shows a missing newest version: the count the last verification recorded does.
    assert run_verification().is_intact
    sql(f"DELETE FROM {table(Vendor)} WHERE history_id = %s", versions_of(story["sakura"])[-1])

    findings = verify().findings
    assert [(f.model, f.problem, f.count) for f in findings] == [("vendors.vendor", ROWS_MISSING, 1)]
    # ... and keeps being reported by later runs, as the same finding.
    run_verification()
    assert verify().findings == findings


def test_a_version_inserted_outside_the_application_is_caught_as_unsealed(story):
    sakura = story["sakura"]
    forged = Vendor.history.get(history_id=versions_of(sakura)[-1])
    forged.pk = None
    forged.history_hash = ""
    forged.history_change_reason = "Approved by the board."
    forged.save()

    assert verify().findings == [Finding("vendors.vendor", UNSEALED, sakura.pk, forged.history_id)]


def test_contacts_and_answers_are_covered_too(story):
    contact = Contact.objects.get(name="Aoi Sato")
    sql(f"UPDATE {table(Contact)} SET email = %s", "attacker@example.com")
    answer_table = connection.ops.quote_name("assessments_historicalanswer")
    changed = sql(f"UPDATE {answer_table} SET response = %s WHERE response = %s", "yes", "")

    problems = {(f.model, f.problem) for f in verify().findings}
    assert problems == {("vendors.contact", ALTERED), ("assessments.answer", ALTERED)}
    assert changed > 0 and contact.pk


# --- the command, the daily task and the audit page ---------------------------------------------------------


def test_the_command_prints_intact_and_records_the_run(story):
    out = io.StringIO()
    call_command("verify_history", stdout=out)

    assert "intact" in out.getvalue()
    assert HistoryVerification.objects.get().is_intact


def test_the_command_exits_non_zero_and_prints_the_finding(story):
    sakura = story["sakura"]
    history_id = versions_of(sakura)[0]
    sql(f"UPDATE {table(Vendor)} SET status = %s WHERE history_id = %s", "approved", history_id)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 broken history rows"):
        call_command("verify_history", stdout=out)

    assert f"vendors.vendor: object {sakura.pk}, history_id {history_id}: altered" in out.getvalue()
    assert HistoryVerification.objects.get().problem_count == 1


def test_the_daily_task_emails_every_compliance_user_once_per_new_finding(story, compliance_user, mailoutbox):
    other = UserFactory(username="compliance-2", roles=[COMPLIANCE])
    _, second, third = versions_of(story["sakura"])

    verify_history()
    assert mailoutbox == []  # intact: nothing to say

    sql(f"UPDATE {table(Vendor)} SET name = %s WHERE history_id = %s", "Other K.K.", second)
    verify_history()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([compliance_user.email, other.email])
    assert "1 version changed or deleted" in mailoutbox[0].subject
    assert f"history row {second}" in mailoutbox[0].body

    verify_history()  # the same finding again: no new email
    assert len(mailoutbox) == 2
    assert HistoryAlert.objects.count() == 1

    sql(f"DELETE FROM {table(Vendor)} WHERE history_id = %s", third)
    verify_history()  # a new finding: one more email each, about it alone
    assert len(mailoutbox) == 4
    assert "Vendor: 1 version up to history row" in mailoutbox[2].body
    assert f"history row {second}:" not in mailoutbox[2].body


def test_the_audit_page_shows_that_the_history_is_intact(story, client_as):
    page = client_as("compliance").get(reverse("audit")).content.decode()
    assert "not been verified yet" in page

    run_verification()
    page = client_as("compliance").get(reverse("audit")).content.decode()

    assert "are as the application wrote them" in page
    assert "alert-danger" not in page


def test_the_audit_page_shows_a_red_banner_naming_the_broken_rows(story, client_as):
    sakura = story["sakura"]
    history_id = versions_of(sakura)[1]
    sql(f"UPDATE {table(Vendor)} SET name = %s WHERE history_id = %s", "Other K.K.", history_id)
    run_verification()

    page = client_as("viewer").get(reverse("audit")).content.decode()

    assert 'class="alert alert-danger"' in page
    assert "1 version was changed or deleted directly in the database" in page
    assert f"Vendor #{sakura.pk}, history row {history_id}: changed outside the application" in page
    assert f"?model=vendors.vendor&amp;object={sakura.pk}" in page


# --- generated data -----------------------------------------------------------------------------------------


def test_generated_data_verifies_clean(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("generate_data", "--vendors", "20", stdout=io.StringIO())

    report = verify()

    assert report.findings == []
    assert report.rows_checked > 20 * 5
