"""The transfer pages: list and filters, detail and checklist, the edit and action pages, joint use, records,
countries, and the vendor page's panel."""

import html
import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
from transfers.services import joint_use_revise, periodic_check_record, transfer_unmet_prerequisites
from vendors.models import Vendor

from ..factories import (
    PDF_BYTES,
    ConsentTransferFactory,
    CountryFactory,
    ForeignTransferFactory,
    ForeignVendorFactory,
    JointUseArrangementFactory,
    JointUserFactory,
    PeriodicCheckFactory,
    ProvisionRecordFactory,
    SystemTransferFactory,
    VendorFactory,
    seeded_country,
)

pytestmark = pytest.mark.django_db

Route = ForeignTransfer.Route
Status = ForeignTransfer.Status
J = JointUseArrangement

# Measured on SQLite and PostgreSQL: session, user, the request's savepoint, the user's roles, the page count,
# the page of transfers (vendor and country joined, record count annotated), its checks, its consents, the
# savepoint's release, the navbar's groups, and the filter form's country choices (the recipient only when
# one is chosen).
LIST_QUERIES = 11


def today():
    return timezone.localdate()


def text_of(response) -> str:
    """The page's text with entities decoded and whitespace collapsed, for plain-sentence assertions."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def pdf_upload(name="document.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


# --- list filters -------------------------------------------------------------------------------------------


def listed(client, **params) -> set[str]:
    response = client.get(reverse("transfers:list"), params)
    assert response.status_code == 200
    return {transfer.vendor.name for transfer in response.context["object_list"]}


def vendor(name):
    return ForeignVendorFactory(name=name)


@pytest.fixture
def scene():
    """Eight transfers, one per vendor, named so each filter's included and excluded rows are plain."""
    checkland = CountryFactory(name_en="Checkland")
    long_ago = today() - relativedelta(months=13)
    recently = today() - timedelta(days=30)
    transfers = {
        "Alpha": ForeignTransferFactory(vendor=vendor("Alpha"), country=seeded_country("DE")),
        "Bravo": SystemTransferFactory(
            vendor=vendor("Bravo"), country=checkland, status=Status.ACTIVE, started_on=date(2020, 1, 1)
        ),
        "Charlie": ConsentTransferFactory(vendor=vendor("Charlie"), country=checkland),
        "Delta": SystemTransferFactory(
            vendor=vendor("Delta"), country=checkland, status=Status.ACTIVE, started_on=date(2020, 1, 1)
        ),
        "Echo": SystemTransferFactory(
            vendor=vendor("Echo"), country=checkland, status=Status.ACTIVE, started_on=recently
        ),
        "Foxtrot": SystemTransferFactory(
            vendor=vendor("Foxtrot"), country=checkland, status=Status.ACTIVE, started_on=long_ago
        ),
        "Golf": ForeignTransferFactory(
            vendor=vendor("Golf"),
            country=seeded_country("US"),
            route=Route.LEGAL_EXCEPTION,
            status=Status.ENDED,
            legal_ground="laws",
            legal_justification="Court order.",
        ),
        "Hotel": SystemTransferFactory(vendor=vendor("Hotel"), country=checkland),
    }
    PeriodicCheckFactory(transfer=transfers["Bravo"], checked_on=long_ago)
    PeriodicCheckFactory(transfer=transfers["Delta"], checked_on=recently)
    PeriodicCheckFactory(transfer=transfers["Hotel"], checked_on=long_ago)
    return transfers


ALL = {"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"}


def test_the_list_shows_every_transfer_without_filters(viewer_client, scene):
    assert listed(viewer_client) == ALL


def test_the_list_filters_by_vendor(viewer_client, scene):
    assert listed(viewer_client, vendor=scene["Delta"].vendor_id) == {"Delta"}


def test_the_list_filters_by_country_code(viewer_client, scene):
    assert listed(viewer_client, country="DE") == {"Alpha"}
    assert listed(viewer_client, country=scene["Bravo"].country.code) == {
        "Bravo",
        "Charlie",
        "Delta",
        "Echo",
        "Foxtrot",
        "Hotel",
    }


def test_the_list_still_filters_by_a_country_id_as_older_links_carry(viewer_client, scene):
    assert listed(viewer_client, country=seeded_country("DE").pk) == {"Alpha"}


def test_the_list_shows_nothing_for_an_unknown_country_code_or_id(viewer_client, scene):
    assert listed(viewer_client, country="ZZ") == set()
    assert listed(viewer_client, country="999999") == set()


def test_the_list_filters_by_route(viewer_client, scene):
    assert listed(viewer_client, route=Route.STANDARD_CONFORMING_SYSTEM) == {
        "Bravo",
        "Delta",
        "Echo",
        "Foxtrot",
        "Hotel",
    }
    assert listed(viewer_client, route=[Route.CONSENT, Route.LEGAL_EXCEPTION]) == {"Charlie", "Golf"}


def test_the_list_filters_by_status(viewer_client, scene):
    assert listed(viewer_client, status=Status.ACTIVE) == {"Bravo", "Delta", "Echo", "Foxtrot"}
    assert listed(viewer_client, status=[Status.PLANNED, Status.ENDED]) == {
        "Alpha",
        "Charlie",
        "Golf",
        "Hotel",
    }


def test_the_list_filters_transfers_with_unmet_prerequisites(viewer_client, scene):
    # Bravo and Hotel: last check too old; Charlie: no consent; Echo and Foxtrot: active with no check.
    assert listed(viewer_client, unmet="true") == {"Bravo", "Charlie", "Echo", "Foxtrot", "Hotel"}


def test_the_list_filters_transfers_with_every_prerequisite_met(viewer_client, scene):
    assert listed(viewer_client, unmet="false") == {"Alpha", "Delta", "Golf"}


def test_the_unmet_filter_follows_a_check_recorded_after_the_list_was_shown(viewer_client, compliance_user):
    transfer = SystemTransferFactory(vendor=vendor("Kilo"), status=Status.ACTIVE, started_on=today())
    assert listed(viewer_client, unmet="true") == {"Kilo"}  # no periodic check yet
    periodic_check_record(
        transfer=transfer,
        user=compliance_user,
        checked_on=today(),
        implementation_status="The recipient applies the contractual measures.",
        foreign_laws="No law found that affects the measures.",
        result="ok",
    )
    assert listed(viewer_client, unmet="true") == set()
    assert listed(viewer_client, unmet="false") == {"Kilo"}


def test_the_unmet_filter_judges_again_on_a_new_day(viewer_client, monkeypatch):
    checked = SystemTransferFactory(vendor=vendor("Lima"), status=Status.ACTIVE, started_on=today())
    PeriodicCheckFactory(transfer=checked, checked_on=today() - relativedelta(months=12))
    assert listed(viewer_client, unmet="true") == set()  # checked 12 months ago today: still in time
    tomorrow = today() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert listed(viewer_client, unmet="true") == {"Lima"}


def test_the_list_filters_transfers_whose_periodic_check_is_overdue(viewer_client, scene):
    # Bravo: last check 13 months ago; Foxtrot: started 13 months ago and never checked.
    assert listed(viewer_client, check_overdue="true") == {"Bravo", "Foxtrot"}


def test_the_list_filters_transfers_whose_periodic_check_is_not_overdue(viewer_client, scene):
    # Echo: active, never checked, started a month ago: its first check is not due yet.
    assert listed(viewer_client, check_overdue="false") == {
        "Alpha",
        "Charlie",
        "Delta",
        "Echo",
        "Golf",
        "Hotel",
    }


def test_the_list_filters_combine(viewer_client, scene):
    params = {"route": Route.STANDARD_CONFORMING_SYSTEM, "status": Status.ACTIVE, "unmet": "true"}
    assert listed(viewer_client, **params) == {"Bravo", "Echo", "Foxtrot"}


def test_the_list_shows_the_number_of_unmet_prerequisites(viewer_client, scene):
    response = viewer_client.get(reverse("transfers:list"), {"vendor": scene["Charlie"].vendor_id})
    assert "1 unmet" in text_of(response)


# --- the list's queries -------------------------------------------------------------------------------------


def create_transfers(count: int, *, batch: str) -> None:
    """`count` more transfers over every route and status, each to its own vendor, a few with checks,
    consents and records."""
    countries = [seeded_country("DE"), seeded_country("US"), seeded_country("SG")]
    vendors = Vendor.objects.bulk_create(
        Vendor(name=f"Bulk {batch}{i:04d} Inc.", country="US", corporate_number="") for i in range(count)
    )
    routes, statuses = Route.values, Status.values
    transfers = ForeignTransfer.objects.bulk_create(
        ForeignTransfer(
            vendor=vendor,
            country=countries[i % len(countries)] if i % 7 else None,
            route=routes[i % len(routes)],
            status=statuses[i % len(statuses)],
            relationship=ForeignTransfer.Relationship.values[i % 3],
            basis="contract" if i % 2 else "",
            started_on=today() - timedelta(days=i),
        )
        for i, vendor in enumerate(vendors)
    )
    system = [t for t in transfers if t.route == Route.STANDARD_CONFORMING_SYSTEM][:5]
    consent = [t for t in transfers if t.route == Route.CONSENT][:5]
    PeriodicCheck.objects.bulk_create(
        PeriodicCheck(
            transfer=t, checked_on=today() - timedelta(days=40 * i), implementation_status="ok", result=r
        )
        for i, t in enumerate(system)
        for r in ("ok", "impeded")
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            transfer=t,
            information_given_on=today() - timedelta(days=3),
            obtained_on=today() - timedelta(days=2),
            whose_consent="Customers",
            method="Form",
        )
        for t in consent
    )
    ProvisionRecord.objects.bulk_create(
        ProvisionRecord(
            transfer=t,
            provided_on=today(),
            recipient_name="R",
            recipient_address="A",
            individuals_description="I",
            data_items="D",
            retain_until=today() + relativedelta(years=3),
        )
        for t in consent[:3]
    )


def test_the_transfer_list_runs_the_same_number_of_queries_at_10_and_at_1000_transfers(viewer_client):
    create_transfers(10, batch="A")
    with CaptureQueriesContext(connection) as at_10:
        response = viewer_client.get(reverse("transfers:list"))
    assert len(response.context["object_list"]) == 10
    create_transfers(990, batch="B")
    assert ForeignTransfer.objects.count() == 1000
    with CaptureQueriesContext(connection) as at_1000:
        response = viewer_client.get(reverse("transfers:list"))
    assert len(response.context["object_list"]) == 50
    assert len(at_1000) == len(at_10) == LIST_QUERIES, [q["sql"] for q in at_1000.captured_queries]


def test_a_filtered_transfer_list_runs_the_same_number_of_queries_at_10_and_at_1000_transfers(viewer_client):
    params = {"unmet": "true", "check_overdue": "false", "status": ["planned", "active"], "q": "Bulk"}
    create_transfers(10, batch="A")
    with CaptureQueriesContext(connection) as at_10:
        assert viewer_client.get(reverse("transfers:list"), params).status_code == 200
    create_transfers(990, batch="B")
    with CaptureQueriesContext(connection) as at_1000:
        response = viewer_client.get(reverse("transfers:list"), params)
    assert len(response.context["object_list"]) == 50
    assert len(at_1000) == len(at_10), [q["sql"] for q in at_1000.captured_queries]


# --- detail -------------------------------------------------------------------------------------------------


def test_the_detail_page_lists_every_unmet_prerequisite(viewer_client):
    transfer = SystemTransferFactory(basis="", basis_document="", status=Status.ACTIVE, started_on=today())
    text = text_of(viewer_client.get(reverse("transfers:detail", args=[transfer.pk])))
    assert "Prerequisites of the route" in text
    for item in (
        "Record how the standard-conforming system is ensured (contract, group rules or APEC CBPR).",
        "Attach the document establishing the system (contract, rules or certificate).",
        "No periodic check is recorded: check the recipient's implementation and the foreign laws affecting "
        "it at least once a year.",
    ):
        assert item in text
    assert "Every prerequisite of the route is met." not in text


def test_the_detail_page_says_when_every_prerequisite_is_met(viewer_client):
    transfer = ForeignTransferFactory()
    text = text_of(viewer_client.get(reverse("transfers:detail", args=[transfer.pk])))
    assert "✓ Every prerequisite of the route is met." in text


def test_the_detail_page_shows_the_checks_and_the_next_due_date(viewer_client):
    transfer = SystemTransferFactory(status=Status.ACTIVE, started_on=date(2025, 1, 1))
    PeriodicCheckFactory(
        transfer=transfer, checked_on=today() - timedelta(days=10), implementation_status="DPA ok."
    )
    text = text_of(viewer_client.get(reverse("transfers:detail", args=[transfer.pk])))
    assert "DPA ok." in text
    assert f"Next check due {(today() - timedelta(days=10) + relativedelta(months=12)):%Y-%m-%d}" in text


def test_compliance_sees_the_action_buttons_and_a_viewer_does_not(client_as):
    transfer = SystemTransferFactory()
    url = reverse("transfers:detail", args=[transfer.pk])
    compliance_page = client_as("compliance").get(url).content.decode()
    assert reverse("transfers:check_create", args=[transfer.pk]) in compliance_page
    assert reverse("transfers:activate", args=[transfer.pk]) in compliance_page
    viewer_page = client_as("viewer").get(url).content.decode()
    assert reverse("transfers:check_create", args=[transfer.pk]) not in viewer_page
    assert reverse("transfers:activate", args=[transfer.pk]) not in viewer_page


# --- create and edit ----------------------------------------------------------------------------------------

FORM_PAGES = {
    "transfers:create": None,
    "transfers:edit": "transfer",
    "transfers:status": "transfer",
    "transfers:check_create": "transfer",
    "transfers:consent_create": "consent_transfer",
    "transfers:joint_use_create": None,
    "transfers:joint_use_edit": "draft",
    "transfers:joint_use_revise": "published",
    "transfers:record_create": None,
    "transfers:country_create": None,
    "transfers:country_edit": "country",
}


@pytest.mark.parametrize("name", FORM_PAGES)
def test_each_form_page_opens_for_compliance(compliance_client, name):
    objects = {
        "transfer": SystemTransferFactory(status=Status.ACTIVE, started_on=today()),
        "consent_transfer": ConsentTransferFactory(),
        "draft": JointUseArrangementFactory(),
        "published": JointUseArrangementFactory(status=J.Status.PUBLISHED),
        "country": seeded_country("US"),
    }
    target = FORM_PAGES[name]
    response = compliance_client.get(reverse(name, args=[objects[target].pk] if target else []))
    assert response.status_code == 200
    assert "<form" in response.content.decode()


def transfer_form(**overrides) -> dict:
    data = {
        "vendor": "",
        "country": seeded_country("DE").pk,
        "relationship": "entrustment",
        "route": Route.EQUIVALENT_COUNTRY,
        "description": "Hosting in Frankfurt.",
        "started_on": "",
        "ordinary_basis": "",
        "basis": "",
        "legal_ground": "",
        "legal_justification": "",
        "reason": "New hosting provider.",
    }
    data.update(overrides)
    return data


def test_compliance_creates_a_transfer(compliance_client, compliance_user):
    recipient = ForeignVendorFactory(name="Frankfurt Hosting GmbH", country="DE")
    response = compliance_client.post(reverse("transfers:create"), transfer_form(vendor=recipient.pk))
    transfer = ForeignTransfer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("transfers:detail", args=[transfer.pk])
    assert (transfer.vendor, transfer.status, transfer.route) == (
        recipient,
        Status.PLANNED,
        Route.EQUIVALENT_COUNTRY,
    )
    version = transfer.history.get()
    assert (version.history_user, version.history_change_reason) == (compliance_user, "New hosting provider.")


def test_compliance_creates_a_standard_conforming_transfer_with_its_document(compliance_client):
    recipient = ForeignVendorFactory()
    data = transfer_form(
        vendor=recipient.pk,
        country=CountryFactory().pk,
        route=Route.STANDARD_CONFORMING_SYSTEM,
        basis="contract",
        basis_document=pdf_upload("dpa.pdf"),
    )
    assert compliance_client.post(reverse("transfers:create"), data).status_code == 302
    transfer = ForeignTransfer.objects.get()
    assert transfer.basis_document.name.endswith(".pdf")
    # Basis and document are in: only the first check of the system is left before provision starts.
    assert transfer_unmet_prerequisites(transfer) == [
        "No periodic check is recorded: check the recipient's implementation and the foreign laws "
        "affecting it at least once a year."
    ]


def test_the_create_page_offers_the_vendor_given_in_the_address(compliance_client):
    recipient = ForeignVendorFactory()
    response = compliance_client.get(reverse("transfers:create"), {"vendor": recipient.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["vendor"] == str(recipient.pk)


def test_compliance_edits_a_transfer(compliance_client):
    transfer = ForeignTransferFactory()
    data = transfer_form(vendor=transfer.vendor_id, description="Changed description.", reason="Clarified.")
    response = compliance_client.post(reverse("transfers:edit", args=[transfer.pk]), data)
    assert response.status_code == 302
    stored = ForeignTransfer.objects.get(pk=transfer.pk)
    assert stored.description == "Changed description."
    assert stored.history.latest().history_change_reason == "Clarified."


def test_an_edit_that_would_break_an_active_transfer_is_refused_and_changes_nothing(compliance_client):
    transfer = ForeignTransferFactory(
        relationship="third_party_provision",
        ordinary_basis="consent",
        status=Status.ACTIVE,
        started_on=today(),
    )
    versions = transfer.history.count()
    data = transfer_form(
        vendor=transfer.vendor_id, relationship="third_party_provision", ordinary_basis="", started_on=today()
    )
    response = compliance_client.post(reverse("transfers:edit", args=[transfer.pk]), data)
    assert response.status_code == 200
    text = text_of(response)
    assert "This change would leave the active transfer without:" in text
    assert "Record the ordinary basis of the provision (consent or an Art. 27 exception)" in text
    stored = ForeignTransfer.objects.get(pk=transfer.pk)
    assert stored.ordinary_basis == "consent"
    assert transfer.history.count() == versions


# --- checks, consents, status -------------------------------------------------------------------------------


def test_compliance_records_a_periodic_check(compliance_client, compliance_user):
    transfer = SystemTransferFactory(status=Status.ACTIVE, started_on=date(2025, 1, 1))
    url = reverse("transfers:check_create", args=[transfer.pk])
    data = {
        "checked_on": today().isoformat(),
        "implementation_status": "Audit report received.",
        "result": "ok",
    }
    response = compliance_client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("transfers:detail", args=[transfer.pk])
    check = PeriodicCheck.objects.get(transfer=transfer)
    assert (check.checked_on, check.checked_by, check.result) == (today(), compliance_user, "ok")


def test_the_check_page_refuses_an_impeded_check_without_its_correction(compliance_client):
    transfer = SystemTransferFactory(status=Status.ACTIVE, started_on=date(2025, 1, 1))
    data = {"checked_on": today().isoformat(), "implementation_status": "Logs missing.", "result": "impeded"}
    response = compliance_client.post(reverse("transfers:check_create", args=[transfer.pk]), data)
    assert response.status_code == 200
    assert "An impeded check needs the date by which the correction is due." in text_of(response)
    assert not PeriodicCheck.objects.exists()


def test_the_check_page_refuses_a_check_on_another_route(compliance_client):
    transfer = ConsentTransferFactory()
    data = {"checked_on": today().isoformat(), "implementation_status": "n/a", "result": "ok"}
    response = compliance_client.post(reverse("transfers:check_create", args=[transfer.pk]), data)
    assert response.status_code == 200
    assert "Periodic checks belong to the standard-conforming-system route." in text_of(response)
    assert not PeriodicCheck.objects.exists()


def consent_form(**overrides) -> dict:
    data = {
        "information_given_on": (today() - timedelta(days=2)).isoformat(),
        "obtained_on": (today() - timedelta(days=1)).isoformat(),
        "country_name_given": "Testland",
        "country_unidentified_reason": "",
        "substitute_information": "",
        "recipient_measures": "Every OECD principle.",
        "recipient_measures_unknown_reason": "",
        "how_given": "On the form.",
        "whose_consent": "Applicants via the recruitment form.",
        "method": "Check box",
        "evidence": pdf_upload("consent.pdf"),
    }
    data.update(overrides)
    return data


def test_compliance_records_consent_and_the_country_information_is_frozen(compliance_client):
    transfer = ConsentTransferFactory()
    url = reverse("transfers:consent_create", args=[transfer.pk])
    response = compliance_client.post(url, consent_form())
    assert response.status_code == 302
    consent = ConsentRecord.objects.get(transfer=transfer)
    assert consent.protection_system_snapshot == transfer.country.information_snapshot()
    assert consent.evidence.name.endswith(".pdf")
    text = text_of(compliance_client.get(reverse("transfers:detail", args=[transfer.pk])))
    assert "Every prerequisite of the route is met." in text


def test_compliance_suspends_an_active_transfer_with_a_reason(compliance_client, compliance_user):
    transfer = ForeignTransferFactory(status=Status.ACTIVE, started_on=today())
    url = reverse("transfers:status", args=[transfer.pk])
    response = compliance_client.post(url, {"status": "suspended", "reason": "Leak under investigation."})
    assert response.status_code == 302
    stored = ForeignTransfer.objects.get(pk=transfer.pk)
    assert stored.status == Status.SUSPENDED
    assert stored.history.latest().history_change_reason == "Leak under investigation."


def test_the_status_page_refuses_a_transition_that_does_not_exist(compliance_client):
    transfer = ForeignTransferFactory(status=Status.PLANNED)
    response = compliance_client.post(
        reverse("transfers:status", args=[transfer.pk]), {"status": "suspended", "reason": "Why not."}
    )
    assert response.status_code == 200
    assert "A transfer cannot go from Planned to Suspended." in text_of(response)
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.PLANNED


def test_the_status_page_needs_a_reason(compliance_client):
    transfer = ForeignTransferFactory(status=Status.ACTIVE, started_on=today())
    response = compliance_client.post(reverse("transfers:status", args=[transfer.pk]), {"status": "ended"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.ACTIVE


def test_the_activate_button_activates_a_transfer_meeting_every_prerequisite(compliance_client):
    transfer = ForeignTransferFactory()
    response = compliance_client.post(reverse("transfers:activate", args=[transfer.pk]), follow=True)
    assert response.redirect_chain == [(reverse("transfers:detail", args=[transfer.pk]), 302)]
    assert "The transfer is active." in text_of(response)
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.ACTIVE


def test_the_activate_button_shows_every_unmet_prerequisite(compliance_client):
    transfer = ForeignTransferFactory(country=seeded_country("US"), relationship="third_party_provision")
    response = compliance_client.post(reverse("transfers:activate", args=[transfer.pk]), follow=True)
    text = text_of(response)
    assert (
        "United States is not designated by the PPC as an equivalent country: choose another route." in text
    )
    assert "Record the ordinary basis of the provision (consent or an Art. 27 exception)" in text
    assert ForeignTransfer.objects.get(pk=transfer.pk).status == Status.PLANNED


# --- joint use ----------------------------------------------------------------------------------------------


@pytest.fixture
def sisters():
    return [JointUserFactory(name="Sister Retail K.K."), JointUserFactory(name="Sister Finance K.K.")]


@pytest.fixture
def published(sisters):
    return JointUseArrangementFactory(
        title="Group customer data",
        status=J.Status.PUBLISHED,
        notice_published_on=date(2025, 3, 1),
        effective_on=date(2025, 4, 1),
        joint_users=sisters,
    )


def test_the_joint_use_list_shows_each_version_with_its_joint_users(viewer_client, published):
    JointUseArrangementFactory(title="Draft arrangement")
    response = viewer_client.get(reverse("transfers:joint_use_list"))
    assert response.status_code == 200
    text = text_of(response)
    assert "Group customer data v1" in text
    assert "Draft arrangement v1" in text
    assert "Sister Retail K.K." in text


def test_the_joint_use_list_filters_by_status(viewer_client, published):
    JointUseArrangementFactory(title="Draft arrangement")
    response = viewer_client.get(reverse("transfers:joint_use_list"), {"status": "draft"})
    assert [str(a) for a in response.context["object_list"]] == ["Draft arrangement v1"]


def revise_form(arrangement, **overrides) -> dict:
    data = {
        "data_items": arrangement.data_items,
        "joint_users": [v.pk for v in arrangement.joint_users.all()],
        "scope_description": arrangement.scope_description,
        "purposes": arrangement.purposes,
        "responsible_party_name": arrangement.responsible_party_name,
        "responsible_party_address": arrangement.responsible_party_address,
        "responsible_party_representative": arrangement.responsible_party_representative,
        "notice_method": arrangement.notice_method,
        "notice_published_on": "",
        "effective_on": "",
        "change_basis": "",
    }
    data.update(overrides)
    return data


def test_the_revise_page_starts_from_the_published_particulars(compliance_client, published):
    response = compliance_client.get(reverse("transfers:joint_use_revise", args=[published.pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["purposes"] == published.purposes


def test_the_revise_page_shows_why_a_change_is_refused(compliance_client, published):
    data = revise_form(published, data_items="Name and date of birth.", change_basis="rename")
    response = compliance_client.post(reverse("transfers:joint_use_revise", args=[published.pk]), data)
    assert response.status_code == 200
    assert (
        "The data items jointly used cannot change without the principals' prior consent (Art. 27(6)): "
        "record that basis." in text_of(response)
    )
    assert J.objects.count() == 1


def test_the_revise_page_shows_every_refusal_at_once(compliance_client, published):
    data = revise_form(published, purposes="Marketing too.", scope_description="Every affiliate.")
    response = compliance_client.post(reverse("transfers:joint_use_revise", args=[published.pk]), data)
    text = text_of(response)
    assert "The scope of joint users cannot change unless the principals consented" in text
    assert "Changed purposes or a new responsible party must be notified in advance" in text


def test_the_revise_page_creates_the_next_version_and_asks_to_notify_without_delay(
    compliance_client, published
):
    data = revise_form(published, responsible_party_name="Example Group Holdings K.K.")
    response = compliance_client.post(
        reverse("transfers:joint_use_revise", args=[published.pk]), data, follow=True
    )
    revision = J.objects.get(version=2)
    assert response.redirect_chain == [(reverse("transfers:joint_use_detail", args=[revision.pk]), 302)]
    text = text_of(response)
    assert "The responsible party's details changed: notify the principals without delay." in text
    assert revision.responsible_party_name == "Example Group Holdings K.K."
    assert J.objects.get(pk=published.pk).status == J.Status.RETIRED


def test_the_joint_use_detail_shows_the_two_versions_side_by_side(viewer_client, published, compliance_user):
    revision = joint_use_revise(
        arrangement=published,
        user=compliance_user,
        changes={"purposes": "Support and joint marketing."},
        notice_published_on=date(2026, 4, 1),
        effective_on=date(2026, 5, 1),
    )
    response = viewer_client.get(reverse("transfers:joint_use_detail", args=[revision.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    text = text_of(response)
    assert "Version 2" in text and "Version 1" in text
    assert "Support and joint marketing." in text
    assert published.purposes in text
    assert 'class="table-warning"' in content
    rows = {str(label): (value, old) for label, value, old in response.context["rows"]}
    assert rows["purposes of use of the joint users"] == ("Support and joint marketing.", published.purposes)
    assert rows["data items jointly used"] == (published.data_items, published.data_items)


def test_the_versions_of_an_untitled_arrangement_are_shown_side_by_side(
    viewer_client, published, compliance_user
):
    published.title = ""
    published.save()
    revision = joint_use_revise(
        arrangement=published, user=compliance_user, changes={"responsible_party_address": "Osaka"}
    )
    response = viewer_client.get(reverse("transfers:joint_use_detail", args=[revision.pk]))
    text = text_of(response)
    assert f"Joint use of {published.responsible_party_name} v2" in text
    assert "Version 2" in text and "Version 1" in text
    rows = {str(label): (value, old) for label, value, old in response.context["rows"]}
    assert rows["responsible party's address"] == ("Osaka", published.responsible_party_address)


def test_compliance_creates_edits_and_publishes_a_draft(compliance_client, sisters):
    data = {
        "title": "New joint use",
        "data_items": "Name, e-mail.",
        "joint_users": [sisters[0].pk],
        "scope_description": "Sister Retail only.",
        "purposes": "Support.",
        "responsible_party_name": "Example Holdings K.K.",
        "responsible_party_address": "Tokyo",
        "responsible_party_representative": "Taro Yamada",
        "notice_method": "Website.",
        "notice_published_on": "",
        "effective_on": "",
    }
    assert compliance_client.post(reverse("transfers:joint_use_create"), data).status_code == 302
    draft = J.objects.get()
    data.update(
        notice_published_on="2026-04-01", effective_on="2026-05-01", joint_users=[s.pk for s in sisters]
    )
    assert (
        compliance_client.post(reverse("transfers:joint_use_edit", args=[draft.pk]), data).status_code == 302
    )
    assert set(J.objects.get().joint_users.all()) == set(sisters)
    response = compliance_client.post(reverse("transfers:joint_use_publish", args=[draft.pk]), follow=True)
    assert "Published." in text_of(response)
    assert J.objects.get().status == J.Status.PUBLISHED


def test_publishing_without_a_notice_date_shows_the_refusal(compliance_client):
    draft = JointUseArrangementFactory()
    response = compliance_client.post(reverse("transfers:joint_use_publish", args=[draft.pk]), follow=True)
    assert "Record when the particulars were notified or made readily accessible." in text_of(response)
    assert J.objects.get(pk=draft.pk).status == J.Status.DRAFT


def test_the_edit_page_refuses_to_change_a_published_arrangement(compliance_client, published):
    data = revise_form(published, title=published.title, purposes="Edited in place.")
    response = compliance_client.post(reverse("transfers:joint_use_edit", args=[published.pk]), data)
    assert response.status_code == 200
    assert "A published arrangement is changed by revising it into a new version." in text_of(response)
    assert J.objects.get(pk=published.pk).purposes == published.purposes


# --- records of provision -----------------------------------------------------------------------------------


def test_the_record_list_shows_records_with_their_retention_date(viewer_client):
    record = ProvisionRecordFactory(recipient_name="Listed Recipient Inc.")
    response = viewer_client.get(reverse("transfers:record_list"))
    assert response.status_code == 200
    text = text_of(response)
    assert "Listed Recipient Inc." in text
    assert f"{record.retain_until:%Y-%m-%d}" in text


def test_procurement_creates_a_record_of_provision(procurement_client, procurement_user):
    transfer = ConsentTransferFactory()
    data = {
        "kind": "batch",
        "provided_on": "2026-01-05",
        "last_provided_on": "2026-06-30",
        "recipient_name": "Recipient Inc.",
        "recipient_address": "1 Market Street",
        "recipient_representative": "Jane Doe",
        "individuals_description": "Applicants in 2026.",
        "data_items": "Name, CV.",
        "consent_obtained": "on",
        "transfer": transfer.pk,
    }
    response = procurement_client.post(reverse("transfers:record_create"), data)
    record = ProvisionRecord.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("transfers:record_detail", args=[record.pk])
    assert (record.retain_until, record.transfer, record.consent_obtained) == (
        date(2029, 6, 30),
        transfer,
        True,
    )
    assert record.history.get().history_user == procurement_user


def test_the_record_page_shows_the_record(viewer_client):
    record = ProvisionRecordFactory(
        kind="batch", provided_on=date(2026, 1, 5), last_provided_on=date(2026, 6, 30)
    )
    text = text_of(viewer_client.get(reverse("transfers:record_detail", args=[record.pk])))
    assert "2026-01-05 – 2026-06-30" in text
    assert "Batch record of continuous provision" in text
    assert "2029-06-30" in text


def test_deleting_a_record_before_its_retention_date_shows_the_refusal(compliance_client):
    record = ProvisionRecordFactory()
    response = compliance_client.post(reverse("transfers:record_delete", args=[record.pk]), follow=True)
    assert f"This record must be kept until {record.retain_until} (Rule 21)." in text_of(response)
    assert ProvisionRecord.objects.filter(pk=record.pk).exists()


def test_deleting_a_record_past_its_retention_date_goes_back_to_the_list(compliance_client):
    record = ProvisionRecordFactory()
    ProvisionRecord.objects.filter(pk=record.pk).update(retain_until=today() - timedelta(days=1))
    response = compliance_client.post(reverse("transfers:record_delete", args=[record.pk]), follow=True)
    assert response.redirect_chain == [(reverse("transfers:record_list"), 302)]
    assert "Record deleted." in text_of(response)
    assert not ProvisionRecord.objects.exists()


# --- countries ----------------------------------------------------------------------------------------------


def test_the_country_list_shows_the_seeded_countries(viewer_client):
    response = viewer_client.get(reverse("transfers:country_list"), {"ppc_equivalent": "true"})
    assert response.status_code == 200
    codes = {country.code for country in response.context["object_list"]}
    assert {"DE", "GB", "NO"} <= codes
    assert "US" not in codes


def test_the_country_detail_page_shows_the_protection_information(viewer_client):
    country = CountryFactory(name_en="Detailland", other_laws="A data localisation law.")
    text = text_of(viewer_client.get(reverse("transfers:country_detail", args=[country.pk])))
    assert "Detailland" in text
    assert "A data localisation law." in text


def test_compliance_edits_a_country_and_the_change_is_in_its_history(compliance_client):
    country = seeded_country("US")
    data = {
        "code": "US",
        "name_en": "United States",
        "name_ja": "アメリカ合衆国",
        "has_protection_system": "true",
        "apec_cbpr": "on",
        "oecd_gaps": "No comprehensive federal law.",
        "other_laws": "CLOUD Act.",
        "information_reviewed_on": today().isoformat(),
        "source": "PPC overview.",
        "is_active": "on",
    }
    response = compliance_client.post(reverse("transfers:country_edit", args=[country.pk]), data)
    assert response.status_code == 302
    stored = Country.objects.get(pk=country.pk)
    assert (stored.information_reviewed_on, stored.other_laws) == (today(), "CLOUD Act.")
    assert not stored.information_is_stale()


STALE_FLAG = "information stale"


def test_the_transfer_page_flags_stale_information_of_a_non_equivalent_country(viewer_client):
    transfer = ConsentTransferFactory(country=CountryFactory(information_reviewed_on=date(2020, 1, 1)))
    assert STALE_FLAG in text_of(viewer_client.get(reverse("transfers:detail", args=[transfer.pk])))


def test_the_transfer_page_does_not_flag_fresh_information(viewer_client):
    transfer = ConsentTransferFactory(country=CountryFactory(information_reviewed_on=today()))
    assert STALE_FLAG not in text_of(viewer_client.get(reverse("transfers:detail", args=[transfer.pk])))


def test_the_transfer_page_does_not_flag_an_equivalent_country(viewer_client):
    transfer = ForeignTransferFactory(country=seeded_country("DE"))
    assert STALE_FLAG not in text_of(viewer_client.get(reverse("transfers:detail", args=[transfer.pk])))


def test_the_country_pages_flag_stale_information_of_a_country_in_use(viewer_client):
    stale = CountryFactory(name_en="Staleland", information_reviewed_on=date(2020, 1, 1))
    ConsentTransferFactory(country=stale, status=Status.ACTIVE)
    detail = text_of(viewer_client.get(reverse("transfers:country_detail", args=[stale.pk])))
    assert STALE_FLAG in detail
    listing = text_of(viewer_client.get(reverse("transfers:country_list"), {"q": "Staleland"}))
    assert STALE_FLAG in listing


def test_the_country_pages_do_not_flag_a_fresh_country(viewer_client):
    fresh = CountryFactory(name_en="Freshland", information_reviewed_on=today())
    ConsentTransferFactory(country=fresh, status=Status.ACTIVE)
    assert STALE_FLAG not in text_of(viewer_client.get(reverse("transfers:country_detail", args=[fresh.pk])))


# --- the vendor page ----------------------------------------------------------------------------------------


def test_the_vendor_page_lists_its_transfers_and_current_arrangements(viewer_client):
    recipient = JointUserFactory(name="Overseas Sister Inc.", country="SG", corporate_number="")
    transfer = ConsentTransferFactory(vendor=recipient, country=seeded_country("SG"))
    published = JointUseArrangementFactory(
        title="Asia joint use", status=J.Status.PUBLISHED, joint_users=[recipient]
    )
    retired = JointUseArrangementFactory(
        title="Old joint use", status=J.Status.RETIRED, joint_users=[recipient]
    )
    response = viewer_client.get(reverse("vendors:detail", args=[recipient.pk]))
    content = response.content.decode()
    text = text_of(response)
    assert "Foreign transfers and joint use" in text
    assert reverse("transfers:detail", args=[transfer.pk]) in content
    assert "Singapore · Principal's prior consent (Art. 28(1))" in text
    assert reverse("transfers:joint_use_detail", args=[published.pk]) in content
    assert "Joint use: Asia joint use v1" in text
    assert reverse("transfers:joint_use_detail", args=[retired.pk]) not in content


def test_the_vendor_page_of_a_domestic_vendor_without_transfers_has_no_transfer_panel(viewer_client):
    domestic = VendorFactory()
    text = text_of(viewer_client.get(reverse("vendors:detail", args=[domestic.pk])))
    assert "Foreign transfers and joint use" not in text


def test_the_vendor_page_of_a_foreign_vendor_without_transfers_says_none_recorded(compliance_client):
    foreign = ForeignVendorFactory()
    response = compliance_client.get(reverse("vendors:detail", args=[foreign.pk]))
    text = text_of(response)
    assert "Foreign transfers and joint use" in text
    assert "None recorded." in text
    assert f"{reverse('transfers:create')}?vendor={foreign.pk}" in response.content.decode()


def test_the_revise_page_starts_from_the_published_particulars_with_fresh_dates(compliance_client):
    published = timezone.localdate() - timedelta(days=90)
    arrangement = JointUseArrangementFactory(
        status="published", notice_published_on=published, effective_on=published
    )
    form = compliance_client.get(reverse("transfers:joint_use_revise", args=[arrangement.pk])).context["form"]
    assert form["data_items"].value() == arrangement.data_items
    assert form["notice_published_on"].value() is None
    assert form["effective_on"].value() is None
