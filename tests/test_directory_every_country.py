"""Every country and territory has a number to call in an emergency (issue #16).

The check runs on the shipped resources.csv: a country missing from it fails here, before a
person there meets a talk screen without a number.
"""

from __future__ import annotations

import csv
from pathlib import Path

from babel import Locale

from bot.directory.phones import check_phone

RESOURCES = Path(__file__).resolve().parent.parent / "resources.csv"
# CLDR region codes that are not ISO 3166-1 countries or territories.
NOT_ISO_3166_1 = {"AC", "CP", "CQ", "DG", "EA", "IC", "TA", "XK", "EU", "EZ", "UN", "XA", "XB", "ZZ", "QO"}  # noqa: E501
# No permanent population and no public telephone emergency service: a person there is on an
# expedition, a base or a ship, with that operator's own way to call for help.
UNINHABITED = {
    "AQ": "Antarctica: research stations only",
    "BV": "Bouvet Island: uninhabited",
    "GS": "South Georgia and the South Sandwich Islands: no emergency services (its government)",
    "HM": "Heard Island and McDonald Islands: uninhabited",
    "IO": "British Indian Ocean Territory: a military base, no public access",
    "TF": "French Southern Territories: research staff only",
    "UM": "U.S. Minor Outlying Islands: no permanent population",
}
# Searched for and not found written on any page (docs/sources/emergency_numbers.csv lists the
# queries); a row added for one of these must take it off this list.
NOT_FOUND = {"NU": "Niue", "TK": "Tokelau", "PN": "Pitcairn Islands"}
# Found only on one weak page, or pages that disagree with each other and with libphonenumber:
# Equatorial Guinea (115, an SMS company's guide), Guinea-Bissau (112 on an aggregator; the
# library lists 113, 117, 118).  Shown once a second source agrees.  Guinea-Bissau's talk
# screen shows the criminal police's free reporting line 121 (four pages), not a dispatcher.
NOT_CONFIRMED = {"GQ": "Equatorial Guinea", "GW": "Guinea-Bissau"}
# The only number found (110, police) came from an unlicensed copy of a book, and calling the
# police there may itself endanger a person: no number is shown rather than a doubtful one.
NOT_SHOWN = {"KP": "North Korea"}
LINE_CATEGORIES = {"hotline", "general_support", "counselling", "legal", "shelter", "labour",
                   "immigration", "medical", "restorative_justice"}  # fmt: skip


def rows() -> list[dict[str, str]]:
    with RESOURCES.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def iso_3166_1() -> set[str]:
    return {
        code for code in Locale("en").territories
        if len(code) == 2 and code.isalpha() and code not in NOT_ISO_3166_1
    }  # fmt: skip


def with_emergency_number() -> set[str]:
    return {
        row["country"]
        for row in rows()
        if "emergency" in row["categories"].split("|") and row["phone"].strip()
    }


def test_every_iso_country_and_territory_has_an_emergency_number() -> None:
    assert len(iso_3166_1()) == 249
    exceptions = set(UNINHABITED) | set(NOT_FOUND) | set(NOT_CONFIRMED) | set(NOT_SHOWN)
    missing = iso_3166_1() - with_emergency_number() - exceptions
    assert sorted(missing) == []


def test_the_exceptions_are_real_iso_codes_still_without_a_number() -> None:
    exceptions = set(UNINHABITED) | set(NOT_FOUND) | set(NOT_CONFIRMED) | set(NOT_SHOWN)
    assert exceptions <= iso_3166_1()
    assert exceptions & with_emergency_number() == set()
    assert len(exceptions) <= 20  # a ceiling, so the list cannot quietly become the rule


def test_every_emergency_number_names_its_source_and_is_a_number_there() -> None:
    for row in rows():
        if "emergency" not in row["categories"].split("|"):
            continue
        assert row["source_url"].startswith(("https://", "http://")), row["id"]
        assert not check_phone(row["phone"], row["country"]).error, row["id"]


def test_sixty_countries_have_a_line_to_a_person_beyond_the_emergency_number() -> None:
    countries = {
        row["country"]
        for row in rows()
        if row["national"] == "true"
        and set(row["categories"].split("|")) & LINE_CATEGORIES
        and (row["phone"].strip() or row.get("sms", "").strip() or row.get("whatsapp", "").strip())
        and row["source_url"].strip()
    }
    assert len(countries) >= 60, sorted(countries)
