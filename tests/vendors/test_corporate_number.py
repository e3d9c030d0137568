"""The 13-digit Japanese corporate number: format, check digit, when it is required, and uniqueness."""

import pytest
from django.core.exceptions import ValidationError

from vendors.models import Vendor
from vendors.validators import is_valid_corporate_number, validate_corporate_number

from ..factories import ForeignVendorFactory, VendorFactory

FORMAT_MESSAGE = "A corporate number has exactly 13 digits."
CHECK_DIGIT_MESSAGE = "The check digit (first digit) does not match: this is not a valid corporate number."
UNIQUE_MESSAGE = "Another vendor already has this corporate number."

# A valid number written with other Unicode digits (full-width, Arabic-Indic), which str.isdigit() accepts.
FULL_WIDTH = "".join(chr(0xFF10 + int(d)) for d in "4011001098993")
ARABIC_INDIC = "".join(chr(0x0660 + int(d)) for d in "4011001098993")


@pytest.mark.parametrize("number", ["4011001098993", "7123456789012", "5010401067252"])
def test_it_accepts_a_corporate_number_whose_check_digit_matches(number):
    assert is_valid_corporate_number(number)
    validate_corporate_number(number)  # does not raise


def test_it_refuses_a_corporate_number_whose_check_digit_does_not_match():
    assert not is_valid_corporate_number("4011001098994")
    with pytest.raises(ValidationError) as error:
        validate_corporate_number("4011001098994")
    assert error.value.code == "check_digit"
    assert error.value.messages == [CHECK_DIGIT_MESSAGE]


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("401100109899", id="12 digits"),
        pytest.param("40110010989930", id="14 digits"),
        pytest.param("", id="empty"),
        pytest.param("401100109899X", id="letter"),
        pytest.param("4011-00109899", id="hyphen"),
        pytest.param(" 401100109899", id="leading space"),
        pytest.param(FULL_WIDTH, id="full-width digits"),
        pytest.param(ARABIC_INDIC, id="arabic-indic digits"),
    ],
)
def test_it_refuses_a_corporate_number_that_is_not_thirteen_ascii_digits(number):
    assert not is_valid_corporate_number(number)
    with pytest.raises(ValidationError) as error:
        validate_corporate_number(number)
    assert error.value.code == "format"
    assert error.value.messages == [FORMAT_MESSAGE]


def test_the_model_field_runs_the_corporate_number_validator(db):
    vendor = VendorFactory.build(corporate_number="4011001098994")
    with pytest.raises(ValidationError) as error:
        vendor.full_clean()
    assert error.value.message_dict["corporate_number"] == [CHECK_DIGIT_MESSAGE]


def test_it_requires_a_corporate_number_for_a_vendor_in_japan(db):
    vendor = VendorFactory.build(country="JP", corporate_number="")
    with pytest.raises(ValidationError) as error:
        vendor.full_clean()
    assert error.value.message_dict["corporate_number"] == ["A vendor in Japan needs its corporate number."]
    assert vendor.needs_corporate_number


def test_it_does_not_require_a_corporate_number_for_a_vendor_abroad(db):
    vendor = VendorFactory.build(country="US", corporate_number="")
    vendor.full_clean()  # does not raise
    assert not vendor.needs_corporate_number


def test_it_refuses_a_second_vendor_with_the_same_corporate_number(db):
    VendorFactory(corporate_number="4011001098993")
    duplicate = VendorFactory.build(corporate_number="4011001098993")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert UNIQUE_MESSAGE in error.value.messages


def test_it_allows_a_vendor_to_keep_its_own_corporate_number_when_saved_again(db):
    vendor = VendorFactory(corporate_number="4011001098993")
    vendor.full_clean()  # its own row is not a duplicate


def test_it_allows_several_foreign_vendors_without_a_corporate_number(db):
    ForeignVendorFactory(corporate_number="")
    second = ForeignVendorFactory.build(corporate_number="")
    second.full_clean()  # blank numbers are not compared
    second.save()
    assert Vendor.objects.filter(corporate_number="").count() == 2


def test_the_database_refuses_a_duplicate_corporate_number_saved_without_validation(db):
    from django.db import IntegrityError, transaction

    VendorFactory(corporate_number="4011001098993")
    with pytest.raises(IntegrityError), transaction.atomic():
        VendorFactory(corporate_number="4011001098993")
