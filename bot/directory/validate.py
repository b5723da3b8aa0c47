"""Every problem in a resources.csv, with the physical line it starts on.

`validate(path)` returns all problems, errors and warnings, not just the first; `check_bytes`
also hands back the rows that passed, as Services, so the importer does not read twice.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from bot.directory.geography import country_codes, far_outside, language_codes
from bot.directory.phones import check_phone
from bot.directory.schema import (
    CATEGORIES,
    CATEGORY_BITS,
    COLUMNS,
    ELIGIBILITY_GROUPS,
    PHONE_COLUMNS,
    REQUIRED_COLUMNS,
    TRANSLATION_COLUMN,
    Service,
    is_structured_hours,
)

STALE_AFTER = timedelta(days=365)
_ID = re.compile(r"[a-z0-9_-]{1,40}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = frozenset("=+-@\t\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNUSUAL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_WEB = re.compile(r"https?://[^\s/?#@]+(?:[/?#]\S*)?", re.IGNORECASE)
_MAX_LEN = {
    "name": 150,
    "description": 1000,
    "region": 100,
    "city": 100,
    "address": 300,
    "postcode": 20,
    "email": 254,
    "website": 2000,
    "source_url": 2000,
    "hours": 200,
    "eligibility": 500,
    "phone": 40,
    "sms": 40,
    "whatsapp": 40,
}
_ONE_LINE = frozenset(COLUMNS) - {"description", "eligibility", "address", "hours"}
_NUMERIC = frozenset({"latitude", "longitude"})
_COUNTRY_HINTS = {"UK": "GB", "EL": "GR"}
_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,3},\d+")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    severity: Severity = Severity.ERROR
    column: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True)
class Checked:
    """The outcome of checking a file: its problems, and the rows that passed."""

    problems: tuple[Problem, ...]
    records: tuple[Record, ...]
    rows: int

    @property
    def services(self) -> tuple[Service, ...]:
        return tuple(Service.from_json(r[4]) for r in self.records)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def validate(path: Path | str, today: date | None = None) -> list[Problem]:
    """All problems in the file, in line order."""
    return list(check_path(path, today=today).problems)


def check_path(path: Path | str, today: date | None = None, workers: int | None = None) -> Checked:
    return check_bytes(Path(path).read_bytes(), today=today, workers=workers)


def check_bytes(data: bytes, today: date | None = None, workers: int | None = None) -> Checked:
    """Check a whole file; big files are checked by `workers` processes (default: CPUs)."""
    validation = Validation(data, today=today, workers=workers)
    records = [record for chunk in validation.chunks() for record in chunk]
    return validation.result(records)


class Validation:
    """Checks a file as a stream of chunks of good rows, so an importer can write them as
    they come; the problems are complete once `chunks()` is exhausted."""

    def __init__(self, data: bytes, today: date | None = None, workers: int | None = None):
        self.data = data
        self.estimated_rows = max(data.count(b"\n") - 1, 0)
        parallel = len(data) >= _PARALLEL_BYTES
        if workers is None:
            workers = min(os.cpu_count() or 1, 4) if parallel else 1
        self._checker = _Checker(today or date.today(), workers)

    def chunks(self) -> Iterator[list[Record]]:
        try:
            text = self.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = self.data.count(b"\n", 0, exc.start) + 1
            self._checker.error(line, "the file is not UTF-8 text (save it as CSV UTF-8)")
            return
        yield from self._checker.stream(text)

    @property
    def ok(self) -> bool:
        """No error so far (final once chunks() is exhausted)."""
        return self._checker.errors == 0

    @property
    def rows(self) -> int:
        return self._checker.rows

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(sorted(self._checker.problems, key=lambda p: p.line))

    def result(self, records: list[Record]) -> Checked:
        return Checked(self.problems, tuple(records), self.rows)


def physical_rows(text: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(start line, fields, csv error) for each record; fields is None when unreadable."""
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines, strict=True)
    last = 0
    while True:
        start = last + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            last = reader.line_num
            yield start, None, str(exc)
            continue
        last = reader.line_num
        yield start, fields, ""


Record = tuple[str, str, int, int, str, float | None, float | None]
"""A checked row as the index stores it: id, country, national, category mask, JSON, lat, lon."""

# Files this big are checked by several processes; below it, starting them costs more.
_PARALLEL_BYTES = 8_000_000
_PIECE_CHARS = 2_000_000


class _Header:
    """Where each known column sits in a row; missing columns point at a trailing ''."""

    def __init__(self, columns: list[str], known: set[str]) -> None:
        self.columns = columns
        self.width = len(columns)
        self.known = known
        missing = self.width
        pos = {name: i for i, name in enumerate(columns) if name in known}
        self.pos = {name: pos.get(name, missing) for name in COLUMNS}
        self.required = [(name, pos[name]) for name in REQUIRED_COLUMNS if name in pos]
        self.text = [
            (name, i)
            for name, i in pos.items()
            if name not in _NUMERIC and name not in PHONE_COLUMNS
        ]
        self.phones = [(name, pos[name]) for name in PHONE_COLUMNS if name in pos]
        self.limits = [
            (name, i, _MAX_LEN[_base(name)]) for name, i in pos.items() if _base(name) in _MAX_LEN
        ]
        self.one_line = {name for name in pos if _base(name) in _ONE_LINE}
        self.names = [(i, name[5:]) for name, i in pos.items() if name.startswith("name_")]
        self.descriptions = [
            (i, name[12:]) for name, i in pos.items() if name.startswith("description_")
        ]


class _Rows:
    """Checks one row at a time; holds nothing between rows, so chunks can run in parallel."""

    def __init__(self, header: _Header, today: date) -> None:
        self.h = header
        self.today = today
        self.countries = country_codes()
        self.languages = language_codes()

    def check(self, line: int, fields: list[str]) -> tuple[list[Problem], Record | None]:
        h = self.h
        problems: list[Problem] = []

        def error(message: str, column: str = "") -> None:
            problems.append(Problem(line, message, Severity.ERROR, column))

        def warn(message: str, column: str = "") -> None:
            problems.append(Problem(line, message, Severity.WARNING, column))

        v = [f.strip() for f in fields]
        v.append("")
        p = h.pos
        for name, i in h.required:
            if not v[i]:
                error(f"{name} is required", name)
        self._text(v, error)
        ident = v[p["id"]]
        if ident and not _ID.fullmatch(ident):
            error(f"id {ident!r} must be 1-40 of a-z 0-9 _ -", "id")
        categories = _split(v[p["categories"]])
        for c in categories:
            if c not in CATEGORY_BITS:
                error(
                    f"unknown category {c!r}; use one or more of {' '.join(CATEGORIES)} "
                    "separated by |",
                    "categories",
                )
        country = v[p["country"]]
        country_ok = country in self.countries
        if country and not country_ok:
            hint = _COUNTRY_HINTS.get(country.upper(), country.upper())
            more = f" (did you mean {hint!r}?)" if hint in self.countries else ""
            error(f"country {country!r} is not an ISO 3166-1 alpha-2 code{more}", "country")
        national = self._national(v[p["national"]], error)
        lat, lon = self._coordinates(
            v[p["latitude"]],
            v[p["longitude"]],
            national,
            country if country_ok else "",
            error,
            warn,
        )
        if national and not any(v[i] for _name, i in h.phones):
            error(
                "a national service needs a phone, sms or whatsapp number "
                "(it is shown on the talk-to-a-person screen)",
                "phone",
            )
        if country_ok:
            for name, i in h.phones:
                value = v[i]
                if value and value[0] not in "=-@":
                    verdict = check_phone(value, country)
                    if verdict.error:
                        error(f"{name}: {verdict.error}", name)
                    elif verdict.warning:
                        warn(f"{name}: {verdict.warning}", name)
        email = v[p["email"]]
        if email and not _EMAIL.fullmatch(email):
            error(f"email {email!r} is not an e-mail address", "email")
        for name in ("website", "source_url"):
            url = v[p[name]]
            if url and not _WEB.fullmatch(url):
                error(f"{name} must be a web address starting with https://", name)
        verified = self._date(v[p["last_verified"]], error, warn)
        languages = _split(v[p["languages"]])
        for code in languages:
            if code not in self.languages:
                error(f"language {code!r} is not an ISO 639-1 code", "languages")
        hours = v[p["hours"]]
        if hours.strip() and not is_structured_hours(hours):
            warn(
                f"hours {hours!r} is shown to English readers only; write it as 24/7 or like "
                "'Mo-Fr 09:00-17:00; Sa 10:00-14:00' and every reader sees it",
                "hours",
            )
        for group in _split(v[p["eligibility"]]):
            if group.lower() not in ELIGIBILITY_GROUPS:
                warn(
                    f"eligibility {group!r} is shown to English readers only; the groups every "
                    f"reader sees: {', '.join(ELIGIBILITY_GROUPS)}",
                    "eligibility",
                )
        if verified is None or any(x.severity is Severity.ERROR for x in problems):
            return problems, None
        # Positional, in the field order of Service (see Service.from_json).
        data = [
            ident,
            v[p["name"]],
            categories,
            country,
            verified,
            v[p["description"]],
            v[p["region"]],
            v[p["city"]],
            v[p["address"]],
            v[p["postcode"]],
            lat,
            lon,
            national,
            v[p["phone"]],
            v[p["sms"]],
            v[p["whatsapp"]],
            email,
            v[p["website"]],
            v[p["hours"]],
            languages,
            v[p["eligibility"]],
            v[p["source_url"]],
            {lang: v[i] for i, lang in h.names if v[i]},
            {lang: v[i] for i, lang in h.descriptions if v[i]},
        ]
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False)
        mask = 0
        for c in categories:
            mask |= CATEGORY_BITS[c]
        return problems, (ident, country, int(national), mask, text, lat, lon)

    def _text(self, v: list[str], error: Callable[[str, str], None]) -> None:
        h = self.h
        for name, i in h.text:
            value = v[i]
            if value and value[0] in _FORMULA_START:
                error(
                    f"{name} starts with {value[0]!r}, which a spreadsheet runs as a formula", name
                )
        for name, i in h.phones:
            value = v[i]
            if value and value[0] in _FORMULA_START and value[0] != "+":
                error(
                    f"{name} starts with {value[0]!r}, which a spreadsheet runs as a formula", name
                )
        if _UNUSUAL.search("".join(v)):
            for name, i in h.text + h.phones:
                value = v[i]
                if _CONTROL.search(value):
                    error(f"{name} contains a control character", name)
                if name in h.one_line and ("\n" in value or "\r" in value):
                    error(f"{name} must be on one line", name)
        for name, i, limit in h.limits:
            if len(v[i]) > limit:
                error(f"{name} is {len(v[i])} characters long (at most {limit})", name)
        name = v[h.pos["name"]]
        if name and len(name) < 2:
            error("name is too short", "name")

    @staticmethod
    def _national(value: str, error: Callable[[str, str], None]) -> bool:
        lowered = value.lower()
        if lowered in ("", "false"):
            return False
        if lowered == "true":
            return True
        error(f"national must be true or false, not {value!r}", "national")
        return False

    @staticmethod
    def _coordinates(
        lat_text: str,
        lon_text: str,
        national: bool,
        country: str,
        error: Callable[[str, str], None],
        warn: Callable[[str, str], None],
    ) -> tuple[float | None, float | None]:
        if not lat_text and not lon_text:
            if not national:
                error("latitude and longitude are required unless national is true", "latitude")
            return None, None
        if not lat_text or not lon_text:
            error("give both latitude and longitude, or neither", "latitude")
            return None, None
        lat = _number(lat_text)
        lon = _number(lon_text)
        bad = False
        for name, text in (("latitude", lat_text), ("longitude", lon_text)):
            if _DECIMAL_COMMA.fullmatch(text):
                error(
                    f"{name} {text!r} uses a comma; use a dot: {text.replace(',', '.')}", name
                )
                bad = True
        if bad:
            return None, None
        if lat is None or not -90.0 <= lat <= 90.0:
            error(f"latitude {lat_text!r} must be a number from -90 to 90", "latitude")
            bad = True
        if lon is None or not -180.0 <= lon <= 180.0:
            error(f"longitude {lon_text!r} must be a number from -180 to 180", "longitude")
            bad = True
        if bad or lat is None or lon is None:
            return None, None
        if country and far_outside(country, lat, lon):
            warn(
                f"coordinates {lat_text}, {lon_text} are far outside {country} "
                "(latitude and longitude swapped, or a sign missing?)",
                "latitude",
            )
        return lat, lon

    def _date(
        self, value: str, error: Callable[[str, str], None], warn: Callable[[str, str], None]
    ) -> str | None:
        if not value:
            return None
        parsed: date | None = None
        if _DATE.fullmatch(value):
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None:
            error(f"last_verified {value!r} must be a date YYYY-MM-DD", "last_verified")
            return None
        if parsed < self.today - STALE_AFTER:
            warn(f"last verified {value}, more than 12 months ago", "last_verified")
        elif parsed > self.today + timedelta(days=1):
            warn(f"last_verified {value} is in the future", "last_verified")
        return value


Checked_row = tuple[int, str, tuple[str, str, str], Record | None]
"""(line, id, duplicate key, record when the row passed)"""


def _check_piece(
    header: _Header, today: date, text: str, first_line: int
) -> tuple[int, list[Problem], list[Checked_row]]:
    """Parse and check one run of whole records; runs in a worker process for big files."""
    rows = _Rows(header, today)
    problems: list[Problem] = []
    out: list[Checked_row] = []
    count = 0
    p = header.pos
    for offset, fields, err in physical_rows(text):
        line = first_line + offset - 1
        if fields is None:
            problems.append(Problem(line, f"this row cannot be read ({err}); check its quotes"))
            continue
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        count += 1
        if len(fields) != header.width:
            problems.append(
                Problem(
                    line,
                    f"this row has {len(fields)} fields but the header has {header.width} "
                    "(check commas and quotes)",
                )
            )
            continue
        found, record = rows.check(line, fields)
        problems.extend(found)
        fields.append("")
        key = (
            _normal(fields[p["country"]]),
            _normal(fields[p["name"]]),
            _normal(fields[p["city"]]),
        )
        out.append((line, fields[p["id"]].strip(), key, record))
    return count, problems, out


def _record_end(text: str, start: int) -> int:
    """The offset just after the record starting at `start` (its newline respected quotes)."""
    position = start
    while True:
        newline = text.find("\n", position)
        if newline < 0:
            return len(text)
        # Inside a quoted field the number of quotes so far is odd ("" counts twice).
        if text.count('"', start, newline) % 2 == 0:
            return newline + 1
        position = newline + 1


def _pieces(text: str, start: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of runs of whole records, about `size` characters each."""
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            end = _record_end_from(text, start, end)
        yield start, end
        start = end


def _record_end_from(text: str, piece_start: int, near: int) -> int:
    """The first record boundary at or after `near`, counting quotes from `piece_start`."""
    quotes = text.count('"', piece_start, near)
    position = near
    while True:
        newline = text.find("\n", position)
        if newline < 0:
            return len(text)
        quotes += text.count('"', position, newline)
        if quotes % 2 == 0:
            return newline + 1
        position = newline + 1


class _Checker:
    def __init__(self, today: date, workers: int) -> None:
        self.today = today
        self.workers = workers
        self.problems: list[Problem] = []
        self.errors = 0
        self.rows = 0
        self.languages = language_codes()

    def stream(self, text: str) -> Iterator[list[Record]]:
        header_end = _record_end(text, 0)
        fields: list[str] | None = None
        try:
            fields = next(csv.reader(io.StringIO(text[:header_end], newline=""), strict=True))
        except StopIteration:
            fields = None
        except csv.Error as exc:
            self.error(1, f"the header cannot be read: {exc}")
            return
        if not fields or not any(f.strip() for f in fields):
            self.error(1, "the file is empty; the first line must be the header")
            return
        if len(fields) == 1 and fields[0].count(";") >= 2:
            # A spreadsheet in a comma-decimal locale saves "CSV" with semicolons: one clear
            # sentence instead of a complaint about every column and every row.
            self.error(1, "this file uses ';' between columns; save it as CSV with commas")
            return
        header = self._check_header(1, fields)
        seen_ids: dict[str, int] = {}
        seen_names: dict[tuple[str, str, str], int] = {}
        for count, problems, rows in self._checked(header, text, header_end):
            self.rows += count
            for problem in problems:
                self.add(problem)
            accepted: list[Record] = []
            for line, ident, key, record in rows:
                duplicate = False
                if ident:
                    if ident in seen_ids:
                        self.error(
                            line, f"duplicate id {ident!r} (first on line {seen_ids[ident]})", "id"
                        )
                        duplicate = True
                    else:
                        seen_ids[ident] = line
                if key[0] and key[1]:
                    earlier = seen_names.get(key)
                    if earlier is not None:
                        self.warn(
                            line, f"looks like a duplicate of line {earlier} (same name and town)"
                        )
                    else:
                        seen_names[key] = line
                if record is not None and not duplicate:
                    accepted.append(record)
            yield accepted

    def _checked(
        self, header: _Header, text: str, body_start: int
    ) -> Iterator[tuple[int, list[Problem], list[Checked_row]]]:
        first_line = text.count("\n", 0, body_start) + 1
        if self.workers < 2:
            for start, end in _pieces(text, body_start, _PIECE_CHARS):
                yield _check_piece(header, self.today, text[start:end], first_line)
                first_line += text.count("\n", start, end)
            return
        # spawn, not fork: the bot runs this from a thread, and forking a threaded process can
        # copy a held lock (the import lock, say) into the child.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            pending: deque[Future[tuple[int, list[Problem], list[Checked_row]]]] = deque()
            for start, end in _pieces(text, body_start, _PIECE_CHARS):
                pending.append(
                    pool.submit(_check_piece, header, self.today, text[start:end], first_line)
                )
                first_line += text.count("\n", start, end)
                if len(pending) > self.workers * 2:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if problem.severity is Severity.ERROR:
            self.errors += 1

    def error(self, line: int, message: str, column: str = "") -> None:
        self.add(Problem(line, message, Severity.ERROR, column))

    def warn(self, line: int, message: str, column: str = "") -> None:
        self.add(Problem(line, message, Severity.WARNING, column))

    def _check_header(self, line: int, fields: list[str]) -> _Header:
        columns = [f.strip() for f in fields]
        known: set[str] = set()
        seen: set[str] = set()
        for name in columns:
            if name in seen:
                self.error(line, f"column {name!r} appears twice", name)
                continue
            seen.add(name)
            if name in COLUMNS:
                known.add(name)
                continue
            match = TRANSLATION_COLUMN.fullmatch(name)
            if match:
                if match.group(2) in self.languages:
                    known.add(name)
                else:
                    self.error(
                        line,
                        f"unknown column {name!r}: {match.group(2)!r} is not an ISO 639-1 "
                        "language code",
                        name,
                    )
                continue
            hint = difflib.get_close_matches(name, COLUMNS, n=1)
            more = f" (did you mean {hint[0]!r}?)" if hint else ""
            self.error(line, f"unknown column {name!r}{more}", name)
        for name in REQUIRED_COLUMNS:
            if name not in seen:
                self.error(line, f"missing required column {name!r}", name)
        return _Header(columns, known)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _normal(text: str) -> str:
    return re.sub(r"\W+", "", text.casefold())


def _base(column: str) -> str:
    return column.split("_", 1)[0] if TRANSLATION_COLUMN.fullmatch(column) else column
