"""Every rule of `resources validate`, each with the line it must point at."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.directory.validate import Problem, Severity, check_bytes, validate

TODAY = date(2026, 11, 27)
HEADER = "id,name,categories,country,latitude,longitude,national,phone,last_verified"
GOOD = "a-1,Test Shelter,shelter,GB,51.5,-0.12,false,+44 20 3058 2020,2026-11-01"


def problems(text: str, encoding: str = "utf-8") -> list[Problem]:
    return list(check_bytes(text.encode(encoding), today=TODAY).problems)


def errors_at(text: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for p in problems(text):
        if p.severity is Severity.ERROR:
            found.setdefault(p.line, []).append(p.message)
    return found


def warnings_at(text: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for p in problems(text):
        if p.severity is Severity.WARNING:
            found.setdefault(p.line, []).append(p.message)
    return found


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


def test_a_good_file_has_no_problems() -> None:
    assert problems(csv_of(GOOD, GOOD.replace("a-1", "a-2").replace("Test", "Other"))) == []


def test_validate_reads_a_path_and_returns_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    bad = GOOD.replace("a-1", "A 1").replace("shelter", "spa").replace("Test", "Other")
    path.write_text(csv_of(GOOD, bad), encoding="utf-8")
    found = validate(path, today=TODAY)
    assert [p.line for p in found] == [3, 3]


def test_missing_and_unknown_columns_are_reported_on_line_1() -> None:
    header = "id,name,categorie,country,latitude,longitude,phon,last_verified"
    found = errors_at(csv_of(header=header))
    messages = " ".join(found[1])
    assert "unknown column 'categorie' (did you mean 'categories'?)" in messages
    assert "unknown column 'phon' (did you mean 'phone'?)" in messages
    assert "missing required column 'categories'" in messages


def test_translation_columns_need_an_iso_639_1_code() -> None:
    header = HEADER + ",name_es,description_uk,name_xx,name_spanish"
    found = errors_at(csv_of(GOOD + ",Refugio,Опис,x,y", header=header))
    assert len(found[1]) == 2
    assert "'name_xx'" in found[1][0] and "'name_spanish'" in found[1][1]


def test_a_repeated_column_is_an_error() -> None:
    found = errors_at(csv_of(GOOD + ",x", header=HEADER + ",name"))
    assert "column 'name' appears twice" in found[1]


def test_required_fields_must_not_be_empty() -> None:
    found = errors_at(csv_of(GOOD, "a-2,,shelter,GB,51.5,-0.12,false,,"))
    assert "name is required" in found[3]
    assert "last_verified is required" in found[3]


def test_id_format_and_duplicates() -> None:
    found = errors_at(
        csv_of(GOOD, GOOD.replace("a-1", "Bad Id").replace("Test", "X1"), GOOD.replace("Test", "Y"))
    )
    assert any("must be 1-40 of a-z 0-9 _ -" in m for m in found[3])
    assert found[4] == ["duplicate id 'a-1' (first on line 2)"]


def test_categories_must_be_known_and_pipe_separated() -> None:
    found = errors_at(
        csv_of(
            GOOD.replace("shelter", "shelter|legal"),
            GOOD.replace("a-1", "a-2").replace("shelter", "shelter,legal").replace("Test", "T2"),
        )
    )
    assert 2 not in found
    # A comma splits the field, so the row has one field too many.
    assert "fields but the header has" in found[3][0]
    found = errors_at(csv_of(GOOD.replace("shelter", "shelter|spa")))
    assert found[2][0].startswith("unknown category 'spa'")


def test_country_must_be_iso_alpha_2() -> None:
    found = errors_at(csv_of(GOOD.replace(",GB,", ",UK,")))
    assert any(
        "country 'UK' is not an ISO 3166-1 alpha-2 code (did you mean 'GB'?)" in m for m in found[2]
    )


def test_coordinates_are_required_unless_national() -> None:
    local = "a-2,Local,shelter,GB,,,false,,2026-11-01"
    national = "a-3,Line,hotline,GB,,,true,+44 20 3058 2020,2026-11-01"
    found = errors_at(csv_of(GOOD, local, national))
    assert found == {3: ["latitude and longitude are required unless national is true"]}


def test_a_national_service_without_any_number_is_an_error() -> None:
    # It would be an empty entry on the talk-to-a-person screen of a whole country.
    mute = "a-3,Line,hotline,GB,,,true,,2026-11-01"
    found = errors_at(csv_of(GOOD, mute))
    assert found == {
        3: [
            "a national service needs a phone, sms or whatsapp number "
            "(it is shown on the talk-to-a-person screen)"
        ]
    }


def test_a_semicolon_separated_file_gets_one_clear_sentence() -> None:
    text = csv_of(GOOD.replace(",", ";"), header=HEADER.replace(",", ";"))
    found = problems(text)
    assert [(p.line, p.message) for p in found] == [
        (1, "this file uses ';' between columns; save it as CSV with commas")
    ]


def test_a_decimal_comma_in_coordinates_says_use_a_dot() -> None:
    found = errors_at(csv_of('a-1,One,shelter,GB,"52,5200","13,4050",false,,2026-11-01'))
    assert found == {
        2: [
            "latitude '52,5200' uses a comma; use a dot: 52.5200",
            "longitude '13,4050' uses a comma; use a dot: 13.4050",
        ]
    }


def test_coordinates_out_of_range_or_half_given() -> None:
    found = errors_at(
        csv_of(
            "a-1,One,shelter,GB,95,-0.12,false,,2026-11-01",
            "a-2,Two,shelter,GB,51.5,200,false,,2026-11-01",
            "a-3,Three,shelter,GB,51.5,,false,,2026-11-01",
            "a-4,Four,shelter,GB,north,0,false,,2026-11-01",
        )
    )
    assert "latitude '95' must be a number from -90 to 90" in found[2]
    assert "longitude '200' must be a number from -180 to 180" in found[3]
    assert "give both latitude and longitude, or neither" in found[4]
    assert "latitude 'north' must be a number from -90 to 90" in found[5]


def test_national_must_be_true_or_false() -> None:
    found = errors_at(csv_of(GOOD.replace("false", "yes")))
    assert "national must be true or false, not 'yes'" in found[2]


def test_phone_numbers_must_be_valid_in_the_rows_country() -> None:
    found = errors_at(
        csv_of(
            GOOD,
            "a-2,Two,shelter,GB,51.5,-0.12,false,+1 888-373-7888,2026-11-01",
            "a-3,Three,shelter,GB,51.5,-0.12,false,12345678901234,2026-11-01",
            "a-4,Four,shelter,GB,51.5,-0.12,false,call us,2026-11-01",
            "a-5,Five,emergency,GB,51.5,-0.12,false,999,2026-11-01",
            "a-6,Six,hotline,GB,51.5,-0.12,false,0800 808 3733,2026-11-01",
        )
    )
    assert found[3] == ["phone: '+1 888-373-7888' is a number for US, not GB"]
    assert "not a valid number in GB" in found[4][0]
    assert "not a phone number" in found[5][0]
    assert 6 not in found and 7 not in found


def test_short_numbers_missing_from_phonenumbers_are_a_warning_not_an_error() -> None:
    text = csv_of("a-1,Line,hotline,PH,,,true,1343,2026-11-01")
    assert errors_at(text) == {}
    assert "short number 1343" in warnings_at(text)[2][0]


def test_an_emergency_number_of_a_shared_numbering_plan_is_a_warning_not_an_error() -> None:
    # 17 reaches the gendarmerie across the +590 plan; phonenumbers lists it for Guadeloupe
    # and Saint-Martin but not Saint-Barthélemy.  A two-digit number unknown everywhere stays
    # an error (a typo).
    text = csv_of("a-1,Gendarmerie,emergency,BL,,,true,17,2026-11-01")
    assert errors_at(text) == {}
    assert "GP, MF (same +590 plan)" in warnings_at(text)[2][0]
    assert errors_at(csv_of("a-1,Typo,emergency,GB,,,true,17,2026-11-01"))[2] == [
        "phone: '17' is too short to be a phone number in GB"
    ]


def test_sms_and_whatsapp_are_checked_like_phones() -> None:
    header = HEADER + ",sms,whatsapp"
    found = errors_at(csv_of(GOOD + ",WhatsApp 0800 1,+44 7400 123456", header=header))
    assert found[2] == [
        "sms: 'WhatsApp 0800 1' is not a phone number (digits, spaces, + - ( ) only)"
    ]


def test_websites_must_be_http_or_https() -> None:
    header = HEADER + ",website,source_url"
    found = errors_at(
        csv_of(
            GOOD + ",https://example.org/a,http://example.org",
            GOOD.replace("a-1", "a-2").replace("Test", "T2") + ",javascript:alert(1),",
            GOOD.replace("a-1", "a-3").replace("Test", "T3") + ",,ftp://example.org",
            header=header,
        )
    )
    assert 2 not in found
    assert found[3] == ["website must be a web address starting with https://"]
    assert found[4] == ["source_url must be a web address starting with https://"]


def test_dates_must_be_yyyy_mm_dd() -> None:
    found = errors_at(
        csv_of(
            GOOD.replace("2026-11-01", "01/11/2026"),
            GOOD.replace("a-1", "a-2").replace("Test", "T2").replace("2026-11-01", "2026-02-30"),
        )
    )
    assert found[2] == ["last_verified '01/11/2026' must be a date YYYY-MM-DD"]
    assert found[3] == ["last_verified '2026-02-30' must be a date YYYY-MM-DD"]


def test_stale_and_future_dates_are_warnings() -> None:
    text = csv_of(
        GOOD.replace("2026-11-01", "2025-06-01"),
        GOOD.replace("a-1", "a-2").replace("Test", "T2").replace("2026-11-01", "2027-01-01"),
    )
    assert errors_at(text) == {}
    warnings = warnings_at(text)
    assert warnings[2] == ["last verified 2025-06-01, more than 12 months ago"]
    assert warnings[3] == ["last_verified 2027-01-01 is in the future"]


def test_languages_must_be_iso_639_1() -> None:
    header = HEADER + ",languages"
    found = errors_at(
        csv_of(
            GOOD + ",en|es|uk",
            GOOD.replace("a-1", "a-2").replace("Test", "T") + ",en|english",
            header=header,
        )
    )
    assert found == {3: ["language 'english' is not an ISO 639-1 code"]}


def test_cells_a_spreadsheet_would_run_as_formulas_are_refused() -> None:
    found = errors_at(
        csv_of(
            GOOD.replace("Test Shelter", "=HYPERLINK(1)"),
            GOOD.replace("a-1", "a-2").replace("Test Shelter", "@SUM(A1)"),
            # A leading + is the international phone form and a leading - a southern latitude.
            "a-3,Sydney,legal,AU,-33.87,151.21,false,+61 2 9514 9662,2026-11-01",
            "a-4,Minus,legal,GB,51.5,-0.12,false,-44 20 3058 2020,2026-11-01",
        )
    )
    assert found[2] == ["name starts with '=', which a spreadsheet runs as a formula"]
    assert found[3] == ["name starts with '@', which a spreadsheet runs as a formula"]
    assert 4 not in found
    assert found[5] == ["phone starts with '-', which a spreadsheet runs as a formula"]


def test_implausible_lengths_are_errors() -> None:
    header = HEADER + ",description"
    found = errors_at(
        csv_of(
            GOOD + "," + "x" * 1001,
            GOOD.replace("a-1", "a-2").replace("Test Shelter", "X") + ",",
            header=header,
        )
    )
    assert found[2] == ["description is 1001 characters long (at most 1000)"]
    assert found[3] == ["name is too short"]


def test_a_byte_order_mark_is_accepted() -> None:
    assert problems(csv_of(GOOD), encoding="utf-8-sig") == []


def test_line_numbers_count_quoted_multi_line_fields() -> None:
    header = HEADER + ",description"
    text = csv_of(
        GOOD + ',"one\ntwo\nthree"',
        GOOD.replace("a-1", "a-2").replace("Test", "T2") + ",plain",
        GOOD.replace("a-1", "BAD").replace("Test", "T3") + ',"a ""quoted"" word"',
        header=header,
    )
    assert list(errors_at(text)) == [6]


def test_quoted_commas_follow_rfc_4180() -> None:
    text = csv_of('a-1,"Shelter, Food and ""Care""",shelter,GB,51.5,-0.12,false,,2026-11-01')
    assert problems(text) == []


def test_an_unclosed_quote_is_reported_where_the_row_starts() -> None:
    text = csv_of(GOOD, 'a-2,"Broken,shelter,GB,51.5,-0.12,false,,2026-11-01\nmore')
    found = errors_at(text)
    assert list(found) == [3]


def test_a_row_with_the_wrong_number_of_fields_is_an_error() -> None:
    found = errors_at(csv_of(GOOD + ",extra"))
    assert found[2] == ["this row has 10 fields but the header has 9 (check commas and quotes)"]


def test_control_characters_and_line_breaks_in_one_line_fields() -> None:
    found = errors_at(
        csv_of(
            GOOD.replace("Test Shelter", '"Test\nShelter"'),
            GOOD.replace("a-1", "a-2").replace("Test", "T\x07"),
        )
    )
    assert found[2] == ["name must be on one line"]
    assert found[4] == ["name contains a control character"]


def test_coordinates_far_outside_the_country_are_a_warning() -> None:
    text = csv_of(GOOD.replace("51.5,-0.12", "-0.12,51.5"))
    assert errors_at(text) == {}
    assert "far outside GB" in warnings_at(text)[2][0]


def test_an_atoll_far_from_its_countrys_big_town_is_not_far_outside() -> None:
    # Ebeye is 3.6 degrees from Majuro, the Marshall Islands' only town of 15,000+.
    row = "mh-1,Police and fire,emergency,MH,8.77479,167.73919,false,+692 329 6911,2026-11-01"
    assert not any("far outside" in w for w in warnings_at(csv_of(row)).get(2, []))


def test_near_duplicate_rows_are_a_warning() -> None:
    header = HEADER + ",city"
    text = csv_of(
        GOOD + ",London",
        GOOD.replace("a-1", "a-2").replace("Test Shelter", "test  shelter") + ",london",
        header=header,
    )
    assert errors_at(text) == {}
    assert warnings_at(text)[3] == ["looks like a duplicate of line 2 (same name and town)"]


def test_text_that_is_not_utf8_is_reported_with_its_line() -> None:
    data = (csv_of(GOOD) + "a-2,Caf\xe9,shelter,GB,51.5,-0.12,false,,2026-11-01\n").encode(
        "latin-1"
    )
    found = check_bytes(data, today=TODAY).problems
    assert [(p.line, p.is_error) for p in found] == [(3, True)]


def test_an_empty_file_is_an_error_on_line_1() -> None:
    assert [(p.line, p.message) for p in problems("")] == [
        (1, "the file is empty; the first line must be the header")
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_big_files_give_the_same_verdict_in_parallel(workers: int) -> None:
    rows = [
        f"s-{i},Service {i},shelter,GB,51.{i % 1000:03d},-0.12,false,+44 20 3058 {i % 10000:04d},"
        "2026-11-01"
        for i in range(300)
    ]
    rows[150] = rows[150].replace("shelter", "spa")
    body = csv_of(*rows)
    from bot.directory import validate as _unused  # noqa: F401

    checked = check_bytes(body.encode(), today=TODAY, workers=workers)
    assert [(p.line, p.is_error) for p in checked.problems] == [(152, True)]
    assert len(checked.records) == 299
