"""Every filter of the vendor list, used through the page the way a reader uses it."""

from datetime import timedelta

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from assessments.services import valid_assessment
from contracts.models import ContractKind, ProtectionContract
from contracts.services import covering_contracts, vendor_contract_kinds
from vendors.filters import VendorFilterSet
from vendors.models import Vendor

from ..factories import (
    DataCategoryFactory,
    ForeignVendorFactory,
    JointUserFactory,
    PurposeFactory,
    SubcontractorFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
    approved_assessment_for,
)

S, K, R = Vendor.Status, Vendor.Kind, Vendor.RiskTier


@pytest.fixture
def listed(viewer_client):
    """GET the vendor list with query params; the names on the page's object_list, in order."""

    def get(params) -> list[str]:
        response = viewer_client.get(reverse("vendors:list"), params)
        assert response.status_code == 200
        return [vendor.name for vendor in response.context["object_list"]]

    return get


def test_the_unfiltered_list_shows_every_vendor_by_name(listed, db):
    for name in ("Charlie", "Alpha", "Bravo"):
        VendorFactory(name=name)
    assert listed({}) == ["Alpha", "Bravo", "Charlie"]


def test_it_filters_by_kind(listed, db):
    contractor = VendorFactory(name="Contractor")
    SubcontractorFactory(name="Subcontractor", parent=contractor)
    JointUserFactory(name="Joint user")
    assert listed({"kind": "subcontractor"}) == ["Subcontractor"]
    assert listed({"kind": ["contractor", "joint_user"]}) == ["Contractor", "Joint user"]


def test_it_filters_by_status(listed, db):
    VendorFactory(name="Draft", status=S.DRAFT)
    VendorFactory(name="Approved", status=S.APPROVED)
    VendorFactory(name="Suspended", status=S.SUSPENDED)
    assert listed({"status": "approved"}) == ["Approved"]
    assert listed({"status": ["draft", "suspended"]}) == ["Draft", "Suspended"]


def test_it_filters_by_risk_tier(listed, db):
    VendorFactory(name="High", risk_tier=R.HIGH)
    VendorFactory(name="Medium", risk_tier=R.MEDIUM)
    VendorFactory(name="Low", risk_tier=R.LOW)
    assert listed({"risk_tier": "high"}) == ["High"]
    assert listed({"risk_tier": ["medium", "low"]}) == ["Low", "Medium"]


def test_it_filters_by_country(listed, db):
    VendorFactory(name="Tokyo K.K.", country="JP")
    ForeignVendorFactory(name="Boston Inc.", country="US")
    ForeignVendorFactory(name="Berlin GmbH", country="DE")
    assert listed({"country": "US"}) == ["Boston Inc."]
    assert listed({"country": ["JP", "DE"]}) == ["Berlin GmbH", "Tokyo K.K."]


@pytest.mark.parametrize(("value", "expected"), [("true", ["Group K.K."]), ("false", ["Outside K.K."])])
def test_it_filters_by_group_company(listed, db, value, expected):
    VendorFactory(name="Group K.K.", is_group_company=True)
    VendorFactory(name="Outside K.K.", is_group_company=False)
    assert listed({"is_group_company": value}) == expected


def test_it_filters_by_data_category_listing_each_vendor_once(listed, db):
    customers, applicants, footage = DataCategoryFactory(), DataCategoryFactory(), DataCategoryFactory()
    VendorFactory(name="Both").data_categories.set([customers, applicants])
    VendorFactory(name="Customers only").data_categories.set([customers])
    VendorFactory(name="Footage only").data_categories.set([footage])
    VendorFactory(name="None")
    assert listed({"data_categories": customers.pk}) == ["Both", "Customers only"]
    assert listed({"data_categories": [customers.pk, applicants.pk]}) == ["Both", "Customers only"]


def test_it_filters_by_purpose_listing_each_vendor_once(listed, db):
    service, marketing, recruitment = PurposeFactory(), PurposeFactory(), PurposeFactory()
    VendorFactory(name="Both").purposes.set([service, marketing])
    VendorFactory(name="Marketing only").purposes.set([marketing])
    VendorFactory(name="Recruitment only").purposes.set([recruitment])
    assert listed({"purposes": marketing.pk}) == ["Both", "Marketing only"]
    assert listed({"purposes": [service.pk, marketing.pk]}) == ["Both", "Marketing only"]


def test_it_filters_by_owner(listed, db):
    haruka, kenji = UserFactory(username="haruka"), UserFactory(username="kenji")
    VendorFactory(name="Haruka's", owner=haruka)
    VendorFactory(name="Kenji's", owner=kenji)
    VendorFactory(name="Nobody's", owner=None)
    assert listed({"owner": haruka.pk}) == ["Haruka's"]


def test_it_filters_by_parent(listed, db):
    parent = VendorFactory(name="Parent")
    other = VendorFactory(name="Other parent")
    SubcontractorFactory(name="Child", parent=parent)
    grandchild_parent = SubcontractorFactory(name="Child 2", parent=parent)
    SubcontractorFactory(name="Grandchild", parent=grandchild_parent)
    SubcontractorFactory(name="Other child", parent=other)
    assert listed({"parent": parent.pk}) == ["Child", "Child 2"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("sakura", ["Sakura Data K.K."], id="name, any case"),
        pytest.param("ミドリ", ["Midori Cloud K.K."], id="kana"),
        pytest.param("4011001098993", ["Sakura Data K.K."], id="corporate number"),
        pytest.param("40110", ["Sakura Data K.K."], id="part of the corporate number"),
        pytest.param("k.k.", ["Midori Cloud K.K.", "Sakura Data K.K."], id="common word"),
        pytest.param("cloud k.k.", ["Midori Cloud K.K."], id="two words, both must match"),
        pytest.param("k.k. cloud", ["Midori Cloud K.K."], id="any word order"),
        pytest.param("sakura cloud", [], id="two words matching different vendors"),
        pytest.param("data サクラ", ["Sakura Data K.K."], id="words over different fields"),
    ],
)
def test_it_searches_name_kana_and_corporate_number_requiring_every_word(listed, db, query, expected):
    VendorFactory(name="Sakura Data K.K.", name_kana="サクラデータ", corporate_number="4011001098993")
    VendorFactory(name="Midori Cloud K.K.", name_kana="ミドリクラウド", corporate_number="7123456789012")
    ForeignVendorFactory(name="Atlas CRM Inc.")
    assert listed({"q": query}) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["Alpha", "Bravo", "Charlie"]),
        ("-name", ["Charlie", "Bravo", "Alpha"]),
        ("country", ["Bravo", "Alpha", "Charlie"]),  # DE, JP, US
        ("-country", ["Charlie", "Alpha", "Bravo"]),
    ],
)
def test_it_orders_the_list(listed, db, ordering, expected):
    VendorFactory(name="Alpha", country="JP")
    ForeignVendorFactory(name="Bravo", country="DE")
    ForeignVendorFactory(name="Charlie", country="US")
    assert listed({"ordering": ordering}) == expected


def test_it_orders_risk_tiers_by_severity_and_statuses_by_lifecycle_not_alphabetically(listed, db):
    VendorFactory(name="Low draft", risk_tier=R.LOW, status=S.DRAFT)
    VendorFactory(name="High approved", risk_tier=R.HIGH, status=S.APPROVED)
    VendorFactory(name="Medium review", risk_tier=R.MEDIUM, status=S.UNDER_REVIEW)
    assert listed({"ordering": "risk_tier"}) == ["High approved", "Medium review", "Low draft"]
    assert listed({"ordering": "status"}) == ["Low draft", "Medium review", "High approved"]


def test_filters_combine(listed, db):
    VendorFactory(name="Approved group", status=S.APPROVED, is_group_company=True)
    VendorFactory(name="Approved outsider", status=S.APPROVED)
    VendorFactory(name="Draft group", status=S.DRAFT, is_group_company=True)
    assert listed({"status": "approved", "is_group_company": "true"}) == ["Approved group"]


def test_an_unknown_filter_value_shows_nothing_rather_than_everything(listed, db):
    VendorFactory(name="Anything")
    assert listed({"status": "no-such-status"}) == []


def test_every_filterable_vendor_field_has_a_filter():
    expected = {
        "kind",
        "status",
        "risk_tier",
        "country",
        "is_group_company",
        "data_categories",
        "purposes",
        "owner",
        "parent",
    }
    # Derived from the model as well, so a new choice or relation field cannot go unnoticed.
    fields = Vendor._meta.get_fields()
    derived = {f.name for f in fields if getattr(f, "choices", None) and f.concrete}
    derived |= {f.name for f in fields if f.concrete and f.is_relation}
    derived |= {"is_group_company"}
    assert derived == expected
    assert expected <= set(VendorFilterSet.base_filters)
    boolean_fields = {f.name for f in fields if isinstance(f, models.BooleanField)}
    assert "is_group_company" in boolean_fields


def test_the_re_entrusting_vendor_filter_offers_only_the_chosen_vendor_not_the_whole_register(viewer_client):
    chosen = VendorFactory(name="Chosen Parent K.K.")
    VendorFactory(name="Unchosen Parent K.K.")
    page = viewer_client.get(f"/vendors/?parent={chosen.pk}").content.decode()
    assert f'<option value="{chosen.pk}" selected>Chosen Parent K.K.</option>' in page
    assert "Unchosen Parent K.K." not in page
    unfiltered = viewer_client.get("/vendors/").content.decode()
    assert "Chosen Parent K.K.</option>" not in unfiltered


# --- coverage gaps: approved, but lacking what approval needs today -----------------------------------------


def test_the_gap_filters_list_the_approved_vendors_whose_gates_find_nothing_in_force_today(listed, db):
    today, approved = timezone.localdate(), S.APPROVED

    def vendor(name, *, factory=VendorFactory, status=approved, contract=None, assessment_until=None):
        created = factory(name=name, status=status)
        if contract is not None:
            active_contract_for(created, **contract)
        if assessment_until is not None:
            approved_assessment_for(created, valid_until=assessment_until)
        return created

    year = today + timedelta(days=365)
    vendor("Covered", contract={}, assessment_until=year)
    vendor("Covered, open-ended, valid today", contract={"ends_on": None}, assessment_until=today)
    vendor(
        "Covered from today to today", contract={"starts_on": today, "ends_on": today}, assessment_until=year
    )
    vendor(
        "Superseded, in its term",
        contract={"status": ProtectionContract.Status.SUPERSEDED},
        assessment_until=year,
    )
    vendor("Joint user, joint-use agreement", factory=JointUserFactory, contract={}, assessment_until=year)
    vendor("Only a joint-use agreement", contract={"kind": ContractKind.JOINT_USE}, assessment_until=year)
    vendor(
        "Joint user, entrustment contract",
        factory=JointUserFactory,
        contract={"kind": ContractKind.ENTRUSTMENT},
        assessment_until=year,
    )
    vendor("Contract ended yesterday", contract={"ends_on": today - timedelta(days=1)}, assessment_until=year)
    vendor(
        "Contract starts tomorrow", contract={"starts_on": today + timedelta(days=1)}, assessment_until=year
    )
    vendor("Draft contract", contract={"status": ProtectionContract.Status.DRAFT}, assessment_until=year)
    vendor("Assessment expired yesterday", contract={}, assessment_until=today - timedelta(days=1))
    vendor("Nothing at all")
    vendor("Draft vendor with nothing", status=S.DRAFT)
    vendor("Suspended vendor with nothing", status=S.SUSPENDED)

    lacking_contract = [
        "Contract ended yesterday",
        "Contract starts tomorrow",
        "Draft contract",
        "Joint user, entrustment contract",
        "Nothing at all",
        "Only a joint-use agreement",
    ]
    lacking_assessment = ["Assessment expired yesterday", "Nothing at all"]
    assert listed({"gap": "contract"}) == lacking_contract
    assert listed({"gap": "assessment"}) == lacking_assessment
    assert listed({"gap": "any"}) == sorted({*lacking_contract, *lacking_assessment})
    # The same answer as the approval gates' own lookups, vendor by vendor.
    for each in Vendor.objects.filter(status=approved):
        assert (each.name in lacking_contract) == (
            not covering_contracts(each, kinds=vendor_contract_kinds(each))
        ), each.name
        assert (each.name in lacking_assessment) == (valid_assessment(each) is None), each.name
