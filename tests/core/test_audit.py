"""The audit trail: every change of every record, newest first, filtered, diffed and exported."""

import io
import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contracts.models import ProtectionContract
from contracts.services import contract_save, contract_terminate
from core.audit import audited_models
from vendors.models import Vendor
from vendors.services import contact_save, vendor_delete, vendor_save

from ..factories import ContactFactory, DataCategoryFactory, ProtectionContractFactory, VendorFactory


@pytest.fixture(autouse=True)
def empty_trail(db):
    """Start from an empty trail: the data migrations' seeded reference data has versions of its own."""
    for model in audited_models().values():
        model.history.all().delete()


EXPORT_COLUMNS = ["When", "Who", "Record type", "Record number", "Record", "Action", "Reason", "Changes"]


def audit_page(client, params=None):
    response = client.get(reverse("audit"), params or {})
    assert response.status_code == 200
    return response


def summary(response) -> list[tuple[str, str, str, str]]:
    """(model, record, action, reason) of each entry on the page, in order."""
    return [
        (e.model_label, e.object_label, str(e.version.action), e.version.reason)
        for e in response.context["entries"]
    ]


def changes_of(entry) -> list[tuple[str, str, str]]:
    return [(change.label, change.old, change.new) for change in entry.version.changes]


def new_vendor(user, name: str, reason: str = "Onboarding.", **kwargs) -> Vendor:
    return vendor_save(vendor=VendorFactory.build(name=name, owner=user), user=user, reason=reason, **kwargs)


def rename(vendor: Vendor, user, name: str, reason: str = "Renamed.", **kwargs) -> Vendor:
    vendor.name = name
    return vendor_save(vendor=vendor, user=user, reason=reason, **kwargs)


@pytest.fixture
def story(procurement_user, compliance_user):
    """A vendor onboarded, contracted and renamed, its contract terminated; another entered and deleted."""
    customers = DataCategoryFactory(code="customers", name_en="Customers")  # a version each, by nobody
    applicants = DataCategoryFactory(code="applicants", name_en="Applicants")
    sakura = new_vendor(procurement_user, "Sakura K.K.", data_categories=[customers])
    contract = contract_save(
        contract=ProtectionContractFactory.build(vendor=sakura, reference="PC-AUDIT-1", title="Hosting"),
        user=procurement_user,
        reason="Drafted for the hosting deal.",
    )
    rename(
        sakura,
        procurement_user,
        "Sakura Data K.K.",
        reason="Renamed after the merger.",
        data_categories=[customers, applicants],
    )
    contract_terminate(contract=contract, user=compliance_user, reason="Vendor closed the service.")
    mistake = new_vendor(procurement_user, "Mistake K.K.", reason="Entered.")
    mistake_pk = mistake.pk
    vendor_delete(vendor=mistake, user=procurement_user, reason="Entered by mistake.")
    return {"sakura": sakura, "contract": contract, "mistake_pk": mistake_pk}


STORY = [
    ("vendors.vendor", "Mistake K.K.", "Deleted", "Entered by mistake."),
    ("vendors.vendor", "Mistake K.K.", "Created", "Entered."),
    ("contracts.protectioncontract", "PC-AUDIT-1", "Changed", "Vendor closed the service."),
    ("vendors.vendor", "Sakura Data K.K.", "Changed", "Renamed after the merger."),
    ("contracts.protectioncontract", "PC-AUDIT-1", "Created", "Drafted for the hosting deal."),
    ("vendors.vendor", "Sakura K.K.", "Created", "Onboarding."),
    # A historical row has no `name` property: reference data is named by its code.
    ("vendors.datacategory", "Applicants", "Created", ""),
    ("vendors.datacategory", "Customers", "Created", ""),
]


# --- what the trail shows -------------------------------------------------------------------------------


def test_changes_made_through_services_appear_newest_first_with_who_and_why(
    story, client_as, procurement_user, compliance_user
):
    response = audit_page(client_as("compliance"))

    assert summary(response) == STORY
    users = [e.version.user for e in response.context["entries"]]
    assert users[:6] == [procurement_user, procurement_user, compliance_user] + [procurement_user] * 3
    assert users[6:] == [None, None]
    page = response.content.decode()
    assert "Renamed after the merger." in page
    assert "Vendor closed the service." in page


def test_a_change_shows_a_readable_diff(story, client_as):
    response = audit_page(client_as("compliance"))
    renamed = response.context["entries"][3]
    terminated = response.context["entries"][2]

    assert ("name", "Sakura K.K.", "Sakura Data K.K.") in changes_of(renamed)
    assert changes_of(terminated) == [("status", "Draft", "Terminated")]
    page = response.content.decode()
    assert (
        '<span class="diff-old">Sakura K.K.</span> → <span class="diff-new">Sakura Data K.K.</span>' in page
    )
    assert '<th class="fw-normal text-muted w-25">Name</th>' in page


def test_a_creation_lists_the_values_it_was_created_with(story, client_as):
    created = audit_page(client_as("compliance")).context["entries"][5]

    changes = changes_of(created)
    assert ("name", "", "Sakura K.K.") in changes
    assert ("data categories", "", "Customers") in changes
    assert ("status", "", "Draft") in changes


def test_a_deleted_record_is_named_but_not_linked(story, client_as):
    deleted, created = audit_page(client_as("compliance")).context["entries"][:2]

    assert deleted.object_id == created.object_id == story["mistake_pk"]
    assert deleted.object_label == "Mistake K.K."
    assert deleted.object_url == ""
    assert created.object_url == reverse("vendors:detail", args=[story["mistake_pk"]])


def test_data_category_changes_appear_in_the_vendor_diff(procurement_user, client_as):
    customers = DataCategoryFactory(name_en="Customers")
    applicants = DataCategoryFactory(name_en="Applicants")
    vendor = new_vendor(procurement_user, "Ume K.K.", data_categories=[customers])
    vendor_save(
        vendor=vendor, user=procurement_user, data_categories=[customers, applicants], reason="More data."
    )

    latest = audit_page(client_as("compliance"), {"model": "vendors.vendor"}).context["entries"][0]

    assert changes_of(latest) == [("data categories", "Customers", "Applicants, Customers")]


@pytest.fixture
def interleaved(procurement_user):
    """Two vendors whose versions alternate: alpha, beta, alpha, beta, alpha."""
    alpha = new_vendor(procurement_user, "Alpha K.K.")
    beta = new_vendor(procurement_user, "Beta K.K.")
    rename(alpha, procurement_user, "Alpha 2 K.K.")
    rename(beta, procurement_user, "Beta 2 K.K.")
    rename(alpha, procurement_user, "Alpha 3 K.K.")
    return alpha, beta


@pytest.mark.parametrize("params", [{}, {"action": "~"}], ids=["all", "changes-only"])
def test_each_version_is_diffed_against_the_previous_version_of_the_same_record(
    interleaved, client_as, params
):
    response = audit_page(client_as("compliance"), {"model": "vendors.vendor", **params})

    changes = [changes_of(e) for e in response.context["entries"] if e.version.action == "Changed"]
    assert changes == [
        [("name", "Alpha 2 K.K.", "Alpha 3 K.K.")],
        [("name", "Beta K.K.", "Beta 2 K.K.")],
        [("name", "Alpha K.K.", "Alpha 2 K.K.")],
    ]


def test_a_record_shares_its_number_with_records_of_other_types_without_mixing_their_versions(
    procurement_user, client_as
):
    vendor = new_vendor(procurement_user, "Kiri K.K.")
    contract = contract_save(
        contract=ProtectionContractFactory.build(pk=vendor.pk, vendor=vendor, reference="PC-KIRI"),
        user=procurement_user,
    )
    assert vendor.pk == contract.pk
    contract.title = "Kiri hosting"
    contract_save(contract=contract, user=procurement_user, reason="Retitled.")

    latest = audit_page(client_as("compliance")).context["entries"][0]

    assert latest.model_label == "contracts.protectioncontract"
    assert [label for label, _old, _new in changes_of(latest)] == ["title"]


# --- filters --------------------------------------------------------------------------------------------


def test_the_model_filter_keeps_one_record_type(story, client_as):
    response = audit_page(client_as("compliance"), {"model": "contracts.protectioncontract"})

    assert summary(response) == [row for row in STORY if row[0] == "contracts.protectioncontract"]


def test_the_object_filter_keeps_one_record(story, client_as):
    params = {"model": "vendors.vendor", "object": story["sakura"].pk}

    assert summary(audit_page(client_as("compliance"), params)) == [STORY[3], STORY[5]]


def test_the_user_filter_keeps_one_persons_changes(story, client_as, compliance_user):
    assert summary(audit_page(client_as("compliance"), {"user": compliance_user.pk})) == [STORY[2]]


@pytest.mark.parametrize(
    ("action", "expected"),
    [("+", [1, 4, 5, 6, 7]), ("~", [2, 3]), ("-", [0])],
    ids=["created", "changed", "deleted"],
)
def test_the_change_type_filter_keeps_one_kind_of_change(story, client_as, action, expected):
    assert summary(audit_page(client_as("compliance"), {"change_type": action})) == [
        STORY[i] for i in expected
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"model": "contracts.ProtectionContract"},
        {"model": "protectioncontract"},
        {"history_type": "~"},
        {"action": "~"},
        {"change_type": "changed"},
    ],
    ids=["django-label", "bare-name", "history-type", "earlier-name", "change-type-word"],
)
def test_filters_also_take_other_names(story, client_as, params):
    canonical = {"model": "contracts.protectioncontract"} if "model" in params else {"change_type": "~"}
    compliance = client_as("compliance")
    assert summary(audit_page(compliance, params)) == summary(audit_page(compliance, canonical))
    assert summary(audit_page(compliance, params)) != summary(audit_page(compliance, {}))


def test_the_reason_filter_matches_part_of_the_reason_in_any_case(story, client_as):
    assert summary(audit_page(client_as("compliance"), {"reason": "MERGER"})) == [STORY[3]]


def test_the_date_range_keeps_the_versions_made_on_those_days(story, client_as):
    ten_days_ago = timezone.now() - timedelta(days=10)
    Vendor.history.filter(id=story["sakura"].pk, history_type="+").update(
        history_date=ten_days_ago - timedelta(minutes=1)
    )
    ProtectionContract.history.filter(history_type="+").update(history_date=ten_days_ago)
    five_days_ago = (timezone.localdate() - timedelta(days=5)).isoformat()
    client = client_as("compliance")

    before = audit_page(client, {"date_before": five_days_ago})
    after = audit_page(client, {"date_after": five_days_ago})

    assert summary(before) == [STORY[4], STORY[5]]
    assert summary(after) == [row for i, row in enumerate(STORY) if i not in (4, 5)]
    assert summary(audit_page(client, {"date_to": five_days_ago})) == summary(before)
    assert summary(audit_page(client, {"date_from": five_days_ago})) == summary(after)
    on_the_day = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert len(summary(audit_page(client, {"date_after": on_the_day, "date_before": on_the_day}))) == 2


@pytest.mark.parametrize(
    "params",
    [
        {"action": "x"},
        {"user": "999999"},
        {"model": "vendors.nothing"},
        {"object": "abc"},
        {"object": "0"},
        {"date_after": "not-a-date"},
        {"model": "vendors.vendor", "user": "999999"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
def test_an_invalid_filter_shows_nothing_rather_than_everything(story, client_as, params):
    response = audit_page(client_as("compliance"), params)

    assert response.context["entries"] == []
    assert "Nothing matches these filters." in response.content.decode()


# --- a fixed cost per page ------------------------------------------------------------------------------


def make_history(user, count: int) -> None:
    """`count` versions spread over vendors, contacts and contracts in turn (one version per service call)."""
    steps = itertools.cycle(["vendor", "contact", "contract", "rename"])
    vendor = None
    for _ in range(count):
        step = next(steps)
        if step == "vendor":
            vendor = vendor_save(vendor=VendorFactory.build(owner=user), user=user, reason="Onboarding.")
        elif step == "contact":
            contact_save(contact=ContactFactory.build(vendor=vendor), user=user, reason="Contact added.")
        elif step == "contract":
            contract = ProtectionContractFactory.build(vendor=vendor, owner=user)
            contract_save(contract=contract, user=user, reason="Drafted.")
        else:
            rename(vendor, user, f"{vendor.name} (renamed)")


def audit_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = audit_page(client)
    return len(queries), len(response.context["entries"])


def test_a_page_costs_the_same_number_of_queries_for_5_and_for_60_versions(procurement_user, client_as):
    client = client_as("compliance")
    make_history(procurement_user, 5)
    with_5, shown_5 = audit_queries(client)

    make_history(procurement_user, 55)
    with_60, shown_60 = audit_queries(client)

    assert (shown_5, shown_60) == (5, 50)
    assert with_60 == with_5


def test_the_trail_shows_50_versions_a_page(procurement_user, client_as):
    make_history(procurement_user, 60)
    client = client_as("compliance")

    first = audit_page(client)
    second = audit_page(client, {"page": 2})

    assert first.context["paginator"].count == 60
    assert len(first.context["entries"]) == 50
    assert len(second.context["entries"]) == 10
    dates = [e.version.date for e in first.context["entries"] + second.context["entries"]]
    assert dates == sorted(dates, reverse=True)


# --- export ---------------------------------------------------------------------------------------------


def export_rows(client, params=None) -> list[list]:
    response = client.get(reverse("audit_export"), params or {})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


def test_the_export_follows_the_filter_with_the_register_columns(story, client_as):
    header, *rows = export_rows(client_as("compliance"), {"model": "contracts.protectioncontract"})

    assert header == EXPORT_COLUMNS
    contract = story["contract"]
    assert [row[1:7] for row in rows] == [
        [
            "compliance",
            "Protection contract",
            contract.pk,
            "PC-AUDIT-1",
            "Changed",
            "Vendor closed the service.",
        ],
        [
            "procurement",
            "Protection contract",
            contract.pk,
            "PC-AUDIT-1",
            "Created",
            "Drafted for the hosting deal.",
        ],
    ]
    assert rows[0][7].lower() == "status: draft → terminated"
    assert all(row[0] is not None for row in rows)


def test_the_export_lists_the_diff_of_each_change(story, client_as):
    _header, *rows = export_rows(client_as("compliance"), {"reason": "merger"})

    (renamed,) = rows
    changes = renamed[7].lower().splitlines()
    assert "name: sakura k.k. → sakura data k.k." in changes
    assert "data categories: customers → applicants, customers" in changes


def test_the_export_costs_the_same_number_of_queries_for_5_and_for_60_versions(procurement_user, client_as):
    client = client_as("compliance")
    make_history(procurement_user, 5)
    with CaptureQueriesContext(connection) as with_5:
        assert len(export_rows(client)) == 1 + 5

    make_history(procurement_user, 55)
    with CaptureQueriesContext(connection) as with_60:
        assert len(export_rows(client)) == 1 + 60

    assert len(with_60) == len(with_5)


def test_the_export_of_an_invalid_filter_has_no_rows(story, client_as):
    assert export_rows(client_as("compliance"), {"action": "x"}) == [EXPORT_COLUMNS]


def test_the_export_neutralises_a_reason_that_would_run_as_a_formula(procurement_user, client_as):
    reason = '=HYPERLINK("http://example.com","click")'
    new_vendor(procurement_user, "Formula K.K.", reason=reason)

    _header, row = export_rows(client_as("compliance"))

    assert row[6] == f"'{reason}"


# --- who may read it ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["audit", "audit_export"])
@pytest.mark.parametrize(
    ("role", "status"),
    [("compliance", 200), ("viewer", 200), ("superuser", 200), ("procurement", 403), ("anonymous", 302)],
)
def test_only_compliance_viewers_and_superusers_may_read_the_trail(client_as, url_name, role, status):
    response = client_as(role).get(reverse(url_name))

    assert response.status_code == status
    if role == "anonymous":
        assert response.url.startswith(reverse("login"))


def test_paging_through_the_trail_never_counts_every_version(procurement_user, client_as):
    """Millions of versions: each page fetches one row more than it shows instead of counting them all."""
    for n in range(51):
        new_vendor(procurement_user, f"Paged {n:02d} K.K.")
    client = client_as("compliance")
    with CaptureQueriesContext(connection) as captured:
        first = audit_page(client)
    assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)
    assert first.context["page_obj"].has_next()
    assert "?page=2" in first.content.decode()
    second = audit_page(client, {"page": 2})
    assert not second.context["page_obj"].has_next()
    assert len(second.context["entries"]) == 1
