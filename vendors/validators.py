from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def corporate_number_check_digit(base: str) -> int:
    """Check digit of a 12-digit base number (National Tax Agency rule, APPI.md section 9).

    P_n is the n-th digit counted from the right; Q_n is 1 for odd n and 2 for even n.
    """
    total = sum(int(digit) * (2 if n % 2 == 0 else 1) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def is_valid_corporate_number(value: str) -> bool:
    return (
        len(value) == 13
        and value.isascii()
        and value.isdigit()
        and (int(value[0]) == corporate_number_check_digit(value[1:]))
    )


def validate_corporate_number(value: str) -> None:
    if not (len(value) == 13 and value.isascii() and value.isdigit()):
        raise ValidationError(_("A corporate number has exactly 13 digits."), code="format")
    if not is_valid_corporate_number(value):
        raise ValidationError(
            _("The check digit (first digit) does not match: this is not a valid corporate number."),
            code="check_digit",
        )
