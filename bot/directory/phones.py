"""Phone numbers as the directory allows them: full numbers valid in the row's country, or
short numbers (112, 116 006, 1343) that phonenumbers' short-number data knows or finds possible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberFormat, shortnumberinfo
from phonenumbers.re_util import enable_pattern_cache

# Without it, checking numbers of many countries recompiles phonenumbers' patterns on every
# call (they fall out of the re module's small cache): ten times slower on a big directory.
enable_pattern_cache()

_INTERNATIONAL = re.compile(r"\+\d[\d \-]{5,20}\d")
_SHORT = re.compile(r"[0-9][0-9 \-]{1,8}")
_ALLOWED = re.compile(r"\+?[0-9 ()\-./]+")


@dataclass(frozen=True)
class PhoneCheck:
    """The verdict on one number: an error, a warning, or neither."""

    error: str = ""
    warning: str = ""


OK = PhoneCheck()


@lru_cache(maxsize=65536)
def check_phone(value: str, country: str) -> PhoneCheck:
    text = value.strip()
    if not _ALLOWED.fullmatch(text):
        return PhoneCheck(error=f"{text!r} is not a phone number (digits, spaces, + - ( ) only)")
    digits = re.sub(r"\D", "", text)
    if _INTERNATIONAL.fullmatch(text) and _valid_international(digits, country):
        return OK
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number_for_region(number, country):
        return OK
    if not text.startswith("+") and len(digits) <= 6:
        return _check_short(digits, country)
    if number is None:
        return PhoneCheck(error=f"{text!r} cannot be read as a phone number for {country}")
    if phonenumbers.is_valid_number(number):
        region = phonenumbers.region_code_for_number(number)
        return PhoneCheck(error=f"{text!r} is a number for {region}, not {country}")
    return PhoneCheck(error=f"{text!r} is not a valid number in {country}")


def _valid_international(digits: str, country: str) -> bool:
    """A shortcut for the common "+CC NNN..." form: no parsing, just the country's patterns.

    Calling codes are prefix-free, so the first known prefix is the code.  Anything this does
    not accept goes through phonenumbers.parse for an exact verdict and message.
    """
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            rest = digits[size:]
            if not rest or rest[0] == "0":
                return False
            number = phonenumbers.PhoneNumber(country_code=code, national_number=int(rest))
            return phonenumbers.is_valid_number_for_region(number, country)
    return False


def _check_short(digits: str, country: str) -> PhoneCheck:
    number = phonenumbers.PhoneNumber(
        country_code=phonenumbers.country_code_for_region(country), national_number=int(digits)
    )
    if digits.startswith("0"):
        number.italian_leading_zero = True
        number.number_of_leading_zeros = len(digits) - len(digits.lstrip("0"))
    if shortnumberinfo.is_valid_short_number_for_region(number, country):
        return OK
    if shortnumberinfo.is_emergency_number(digits, country):
        return OK
    plan_mates = [
        region
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(number.country_code, ())
        if region != country and shortnumberinfo.is_emergency_number(digits, region)
    ]
    if plan_mates:
        # Territories that share a numbering plan share its emergency numbers in practice
        # (17 for the gendarmerie in Saint-Barthélemy as in Guadeloupe and Saint-Martin, all
        # +590), even where the library lists the number for only some of them.
        return PhoneCheck(
            warning=f"short number {digits} is listed as an emergency number in "
            f"{', '.join(sorted(plan_mates))} (same +{number.country_code} plan), not in "
            f"{country}; check it works there"
        )
    if len(digits) >= 3:
        # Lines newer than the library's data (Vietnam's 111 since 2025) or missing from it
        # (the Philippines' 1343) are real; the maintainer is asked to check, not stopped.
        return PhoneCheck(
            warning=f"short number {digits} is not in phonenumbers' list for {country}; "
            "check it is current"
        )
    return PhoneCheck(error=f"{digits!r} is too short to be a phone number in {country}")


def is_short(value: str) -> bool:
    text = value.strip()
    return (
        not text.startswith("+")
        and bool(_SHORT.fullmatch(text))
        and len(re.sub(r"\D", "", text)) <= 6
    )


def international(value: str, country: str) -> str:
    """The number as people abroad and Telegram's tap-to-call read it; short numbers as is."""
    text = value.strip()
    if not text or is_short(text):
        return re.sub(r"[^\d]", " ", text).strip() if text else ""
    try:
        number = phonenumbers.parse(text, country)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def e164(value: str, country: str) -> str:
    """Digits for a wa.me link; empty when the number is short or unreadable."""
    if not value or is_short(value):
        return ""
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
