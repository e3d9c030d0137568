import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from vendors.models import Contact, DataCategory, Purpose, Vendor
from vendors.validators import corporate_number_check_digit


def valid_corporate_number(n: int) -> str:
    base = f"{n:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))


class DataCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataCategory

    code = factory.Sequence(lambda n: f"category-{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    name_ja = factory.Sequence(lambda n: f"区分{n}")


class PurposeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purpose

    code = factory.Sequence(lambda n: f"purpose-{n}")
    name_en = factory.Sequence(lambda n: f"Purpose {n}")
    name_ja = factory.Sequence(lambda n: f"目的{n}")


class VendorFactory(factory.django.DjangoModelFactory):
    """A vendor written straight to the table (no history, no risk computation): for setting up a scene."""

    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"Vendor {n:04d} K.K.")
    country = "JP"
    corporate_number = factory.Sequence(lambda n: valid_corporate_number(100_000_000 + n))
    kind = Vendor.Kind.CONTRACTOR


class ForeignVendorFactory(VendorFactory):
    name = factory.Sequence(lambda n: f"Foreign Vendor {n:04d} Inc.")
    country = "US"
    corporate_number = ""


class SubcontractorFactory(VendorFactory):
    kind = Vendor.Kind.SUBCONTRACTOR
    parent = factory.SubFactory(VendorFactory)


class JointUserFactory(VendorFactory):
    kind = Vendor.Kind.JOINT_USER


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.LazyAttribute(lambda c: f"{c.name.replace(' ', '.').lower()}@example.com")


def vendor_chain(length: int, **kwargs) -> list[Vendor]:
    """A contractor followed by `length - 1` subcontractors, each re-entrusted by the previous one."""
    chain = [VendorFactory(**kwargs)]
    for _ in range(length - 1):
        chain.append(SubcontractorFactory(parent=chain[-1], **kwargs))
    return chain
