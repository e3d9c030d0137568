"""The vendor list runs a fixed number of queries, however many vendors there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vendors.models import DataCategory, Vendor

from ..factories import DataCategoryFactory, UserFactory, valid_corporate_number

# Measured (the same on SQLite and PostgreSQL): session, user, the user's roles, the page count (inside a
# savepoint: two more statements), the navbar's groups, the filter form's choices (data categories, purposes,
# owners; the re-entrusting vendor only when one is chosen), the page of vendors with owner and parent
# joined, and their data categories.
LIST_QUERIES = 12


def create_vendors(count: int, *, batch: str = "A") -> None:
    """`count` more vendors, a third of them subcontractors, each with an owner and two data categories."""
    offset = Vendor.objects.count()
    owners = [UserFactory(username=f"owner{i}", roles=["procurement"]) for i in range(5)]
    categories = [
        DataCategory.objects.filter(code=f"list-{i}").first() or DataCategoryFactory(code=f"list-{i}")
        for i in range(4)
    ]
    contractors = Vendor.objects.bulk_create(
        Vendor(
            name=f"Contractor {batch}{i:04d} K.K.",
            corporate_number=valid_corporate_number(500_000 + offset + i),
            owner=owners[i % len(owners)],
        )
        for i in range(count - count // 3)
    )
    subcontractors = Vendor.objects.bulk_create(
        Vendor(
            name=f"Subcontractor {batch}{i:04d} K.K.",
            corporate_number=valid_corporate_number(900_000 + offset + i),
            kind=Vendor.Kind.SUBCONTRACTOR,
            parent=contractors[i % len(contractors)],
            owner=owners[i % len(owners)],
        )
        for i in range(count // 3)
    )
    through = Vendor.data_categories.through
    through.objects.bulk_create(
        through(vendor_id=vendor.pk, datacategory_id=categories[(i + k) % len(categories)].pk)
        for i, vendor in enumerate(contractors + subcontractors)
        for k in (0, 1)
    )
    assert Vendor.objects.count() == offset + count


def list_page(client, params=None):
    response = client.get(reverse("vendors:list"), params or {})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("count", [10, 500])
def test_the_vendor_list_runs_the_same_number_of_queries_for_any_number_of_vendors(
    viewer_client, django_assert_num_queries, count
):
    create_vendors(count)
    with django_assert_num_queries(LIST_QUERIES):
        response = list_page(viewer_client)
    vendors = list(response.context["object_list"])
    assert len(vendors) == min(count, 50)
    assert all(vendor.owner is not None and vendor.data_categories.all() for vendor in vendors)


def test_the_vendor_list_at_500_vendors_stays_within_its_query_budget(
    viewer_client, django_assert_max_num_queries
):
    create_vendors(500)
    with django_assert_max_num_queries(LIST_QUERIES):
        list_page(viewer_client)
    with django_assert_max_num_queries(LIST_QUERIES):
        list_page(viewer_client, {"page": 10, "ordering": "-name"})


def test_a_filtered_vendor_list_also_runs_the_same_number_of_queries_for_any_number_of_vendors(viewer_client):
    create_vendors(10)
    category = DataCategory.objects.get(code="list-0").pk
    params = {"data_categories": category, "kind": "subcontractor", "q": "K.K.", "ordering": "-name"}
    with CaptureQueriesContext(connection) as at_10:
        assert len(list_page(viewer_client, params).context["object_list"]) == 2
    create_vendors(490, batch="B")
    with CaptureQueriesContext(connection) as at_500:
        assert len(list_page(viewer_client, params).context["object_list"]) == 50
    assert len(at_500) == len(at_10)
