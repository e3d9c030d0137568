"""Who may re-entrust work to whom: the parent of a subcontractor, cycles, chains and subtrees."""

import pytest
from django.core.exceptions import ValidationError

from vendors.models import Vendor, vendor_subtree

from ..factories import JointUserFactory, SubcontractorFactory, VendorFactory, vendor_chain


def parent_errors(vendor: Vendor) -> list[str]:
    with pytest.raises(ValidationError) as error:
        vendor.full_clean()
    return error.value.message_dict.get("parent", [])


def test_it_refuses_a_subcontractor_without_a_parent(db):
    vendor = VendorFactory.build(kind=Vendor.Kind.SUBCONTRACTOR, parent=None)
    assert parent_errors(vendor) == ["A subcontractor needs the vendor that re-entrusts the work to it."]


def test_it_accepts_a_subcontractor_re_entrusted_by_a_contractor(db):
    contractor = VendorFactory()
    SubcontractorFactory.build(parent=contractor).full_clean()  # does not raise


def test_it_accepts_a_subcontractor_re_entrusted_by_another_subcontractor(db):
    subcontractor = SubcontractorFactory()
    SubcontractorFactory.build(parent=subcontractor).full_clean()  # does not raise


@pytest.mark.parametrize("kind", [Vendor.Kind.CONTRACTOR, Vendor.Kind.JOINT_USER])
def test_it_refuses_a_parent_on_a_vendor_that_is_not_a_subcontractor(db, kind):
    vendor = VendorFactory.build(kind=kind, parent=VendorFactory())
    assert parent_errors(vendor) == [
        "Only a subcontractor is re-entrusted by another vendor; leave this empty."
    ]


@pytest.mark.parametrize("kind", [Vendor.Kind.CONTRACTOR, Vendor.Kind.JOINT_USER])
def test_it_accepts_a_contractor_or_joint_user_without_a_parent(db, kind):
    VendorFactory.build(kind=kind, parent=None).full_clean()  # does not raise


def test_it_refuses_a_joint_user_as_parent(db):
    vendor = SubcontractorFactory.build(parent=JointUserFactory())
    assert parent_errors(vendor) == [
        "A joint user does not re-entrust work; choose a contractor or subcontractor."
    ]


def test_it_refuses_a_terminated_vendor_as_parent(db):
    parent = VendorFactory(name="Closed K.K.", status=Vendor.Status.TERMINATED)
    vendor = SubcontractorFactory.build(parent=parent)
    assert parent_errors(vendor) == ["“Closed K.K.” is terminated and cannot re-entrust work."]


@pytest.mark.parametrize("status", [s for s in Vendor.Status.values if s != Vendor.Status.TERMINATED])
def test_it_accepts_a_parent_in_any_status_but_terminated(db, status):
    SubcontractorFactory.build(parent=VendorFactory(status=status)).full_clean()  # does not raise


def test_it_refuses_a_parent_that_would_make_a_cycle(db):
    a, _b, c = vendor_chain(3)
    a = Vendor.objects.get(pk=a.pk)
    a.kind, a.parent = Vendor.Kind.SUBCONTRACTOR, Vendor.objects.get(pk=c.pk)
    assert parent_errors(a) == [
        f"“{c.name}” is re-entrusted (directly or further down) by this vendor: that would be a cycle."
    ]


def test_it_refuses_a_vendor_as_its_own_parent(db):
    vendor = VendorFactory()
    vendor.kind, vendor.parent = Vendor.Kind.SUBCONTRACTOR, vendor
    assert "cycle" in " ".join(parent_errors(vendor))


def test_it_allows_a_chain_four_vendors_deep(db):
    *_, third = vendor_chain(3)
    fourth = SubcontractorFactory.build(parent=third)
    fourth.full_clean()  # does not raise
    fourth.save()
    assert len(Vendor.objects.get(pk=fourth.pk).ancestors()) == 3


def test_ancestors_run_from_the_parent_up_to_the_contractor(db):
    a, b, c, d = vendor_chain(4)
    d = Vendor.objects.get(pk=d.pk)
    assert d.ancestors() == [c, b, a]
    assert a.ancestors() == []


def test_ancestors_can_start_from_a_given_vendor(db):
    a, b, c = vendor_chain(3)
    assert VendorFactory.build().ancestors(start=c) == [c, b, a]


def test_vendor_subtree_lists_subcontractors_depth_first_by_name_with_their_depth(db):
    root = VendorFactory(name="Root")
    beta = SubcontractorFactory(name="Beta", parent=root)
    alpha = SubcontractorFactory(name="Alpha", parent=root)
    alpha_two = SubcontractorFactory(name="Alpha 2", parent=alpha)
    alpha_one = SubcontractorFactory(name="Alpha 1", parent=alpha)
    alpha_one_x = SubcontractorFactory(name="Alpha 1 X", parent=alpha_one)
    beta_one = SubcontractorFactory(name="Beta 1", parent=beta)
    SubcontractorFactory(name="Elsewhere", parent=VendorFactory(name="Other root"))

    assert vendor_subtree(root) == [
        (1, alpha),
        (2, alpha_one),
        (3, alpha_one_x),
        (2, alpha_two),
        (1, beta),
        (2, beta_one),
    ]
    assert vendor_subtree(alpha_one_x) == []


def test_vendor_subtree_runs_one_query_per_level(db, django_assert_num_queries):
    root, *_ = vendor_chain(4)
    with django_assert_num_queries(4):  # three levels below the root, plus the empty fourth
        assert [depth for depth, _ in vendor_subtree(root)] == [1, 2, 3]
