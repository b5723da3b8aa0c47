"""Open Referral HSDS (a datapackage of CSV files) to rows of resources.csv.

HSDS knows organisations, services, locations and phones; it has no notion of our categories,
so `--map term=category` maps taxonomy terms (ids or names) and, failing those, words in a
service's name or description.  What cannot be mapped faithfully is left out and reported:
a service with no coordinates is skipped unless asked to list it as national (and then
only if it has a valid phone), and a phone number that is not valid in the country is dropped.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.directory.phones import check_phone, international
from bot.directory.schema import CATEGORIES, COLUMNS

_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_FORMULA = "=+-@"


@dataclass(frozen=True)
class Options:
    country: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    default_category: str = "general_support"
    national_without_location: bool = False
    include_inactive: bool = False
    last_verified: date | None = None
    id_prefix: str = "hsds"


@dataclass(frozen=True)
class Converted:
    rows: tuple[dict[str, str], ...]
    notes: tuple[str, ...]


class HsdsError(ValueError):
    pass


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        term, sep, category = pair.partition("=")
        if not sep or not term.strip():
            raise HsdsError(f"--map {pair!r}: write it as hsds_term=our_category")
        if category.strip() not in CATEGORIES:
            raise HsdsError(f"--map {pair!r}: {category!r} is not one of {' '.join(CATEGORIES)}")
        mapping[term.strip().casefold()] = category.strip()
    return mapping


def _tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    package = folder / "datapackage.json"
    paths: dict[str, Path] = {}
    if package.is_file():
        for resource in json.loads(package.read_text(encoding="utf-8")).get("resources", []):
            if resource.get("path"):
                paths[resource.get("name", "")] = folder / resource["path"]
    for csv_file in folder.glob("*.csv"):
        paths.setdefault(csv_file.stem.rstrip("s"), csv_file)
    tables: dict[str, list[dict[str, str]]] = {}
    for name, path in paths.items():
        if path.is_file():
            with path.open(encoding="utf-8-sig", newline="") as f:
                tables[name] = list(csv.DictReader(f))
    if "service" not in tables:
        raise HsdsError(f"{folder} has no services table (services.csv)")
    return tables


def convert(folder: Path, options: Options) -> Converted:
    tables = _tables(folder)
    notes: list[str] = []
    orgs = {o["id"]: o for o in tables.get("organization", [])}
    locations = {loc["id"]: loc for loc in tables.get("location", [])}
    addresses: dict[str, dict[str, str]] = {}
    for address in tables.get("physical_address", []):
        addresses.setdefault(address.get("location_id", ""), address)
    at_location: dict[str, list[dict[str, str]]] = {}
    for link in tables.get("service_at_location", []):
        at_location.setdefault(link.get("service_id", ""), []).append(link)
    phones = tables.get("phone", [])
    terms = {
        t.get("id", ""): t.get("term") or t.get("name") or ""
        for t in tables.get("taxonomy_term", [])
    }
    service_terms: dict[str, list[str]] = {}
    for link in tables.get("service_taxonomy", []) + tables.get("service_attribute", []):
        service_terms.setdefault(link.get("service_id", ""), []).append(
            link.get("taxonomy_term_id") or link.get("taxonomy_id") or ""
        )
    verified = _last_changes(tables.get("metadata", []))
    fallback_date = options.last_verified or date.today()
    rows: list[dict[str, str]] = []
    for service in tables["service"]:
        sid = service.get("id", "")
        label = service.get("name", "").strip() or sid
        status = service.get("status", "active").strip().lower()
        if status and status != "active" and not options.include_inactive:
            notes.append(f"skipped {label!r}: status {status}")
            continue
        org = orgs.get(service.get("organization_id", ""), {})
        links = at_location.get(sid, [])
        places = [(link, locations.get(link.get("location_id", ""), {})) for link in links]
        located = [
            (link, loc)
            for link, loc in places
            if _float(loc.get("latitude")) is not None and _float(loc.get("longitude")) is not None
        ]
        country = _country(options, [addresses.get(loc.get("id", ""), {}) for _, loc in places])
        if country is None:
            raise HsdsError(
                "the data has no country (no physical_address.country); pass --country XX"
            )
        categories = _categories(service, service_terms.get(sid, []), terms, options)
        base = {c: "" for c in COLUMNS}
        base.update(
            name=_text(label, 150),
            categories="|".join(categories),
            description=_text(service.get("description") or org.get("description") or "", 1000),
            country=country,
            email=_email(service.get("email") or org.get("email") or ""),
            website=_web(service.get("url") or org.get("url") or ""),
            source_url="",
            last_verified=(
                verified.get(sid) or verified.get(org.get("id", "")) or fallback_date
            ).isoformat(),
        )
        base["languages"] = "|".join(_languages(phones, sid))
        targets = located or ([] if not options.national_without_location else [({}, {})])
        if not targets:
            notes.append(f"skipped {label!r}: no location with coordinates")
            continue
        for link, loc in targets:
            row = dict(base)
            row["id"] = _ident(options.id_prefix, sid, loc.get("id", ""))
            if loc:
                row["latitude"] = f"{_float(loc.get('latitude')):.6f}"
                row["longitude"] = f"{_float(loc.get('longitude')):.6f}"
                row["national"] = "false"
                address = addresses.get(loc.get("id", ""), {})
                row["address"] = _text(address.get("address_1", ""), 300)
                row["city"] = _text(address.get("city", ""), 100)
                row["region"] = _text(address.get("state_province", ""), 100)
                row["postcode"] = _text(address.get("postal_code", ""), 20)
            number, rejected = _phone(
                phones,
                sid,
                link.get("id", ""),
                loc.get("id", ""),
                service.get("organization_id", ""),
                country,
            )
            notes.extend(
                f"{label!r}: dropped phone {n!r} (not valid in {country})" for n in rejected
            )
            if not loc:
                # A national row is a line on the talk screen of a whole country: without a
                # number it would be a name people cannot reach.
                if not number:
                    notes.append(f"skipped {label!r}: no coordinates and no valid phone")
                    continue
                row["national"] = "true"
                notes.append(f"{label!r} has no coordinates: listed as national")
            row["phone"] = number
            rows.append(row)
    return Converted(tuple(rows), tuple(notes))


def write(rows: Iterable[dict[str, str]], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _country(options: Options, addresses: list[dict[str, str]]) -> str | None:
    if options.country:
        return options.country.upper()
    for address in addresses:
        code = (address.get("country") or "").strip().upper()
        if len(code) == 2:
            return code
    return None


def _categories(
    service: dict[str, str], term_ids: list[str], terms: dict[str, str], options: Options
) -> list[str]:
    found: list[str] = []
    labels = [t.casefold() for t in term_ids if t] + [terms.get(t, "").casefold() for t in term_ids]
    labels += [t.strip().casefold() for t in (service.get("taxonomy_ids") or "").split(",")]
    words = set(
        re.findall(r"\w+", f"{service.get('name', '')} {service.get('description', '')}".casefold())
    )
    for term, category in options.mapping.items():
        if (term in labels or term in words) and category not in found:
            found.append(category)
    return found or [options.default_category]


def _last_changes(metadata: list[dict[str, str]]) -> dict[str, date]:
    latest: dict[str, date] = {}
    for entry in metadata:
        stamp = (entry.get("last_action_date") or "")[:10]
        try:
            when = date.fromisoformat(stamp)
        except ValueError:
            continue
        rid = entry.get("resource_id", "")
        if rid and (rid not in latest or when > latest[rid]):
            latest[rid] = when
    return latest


def _phone(
    phones: list[dict[str, str]],
    sid: str,
    link_id: str,
    location_id: str,
    org_id: str,
    country: str,
) -> tuple[str, list[str]]:
    """The first voice number for the service (then its place, then its organisation)."""
    rejected: list[str] = []
    for key, value in (
        ("service_id", sid),
        ("service_at_location_id", link_id),
        ("location_id", location_id),
        ("organization_id", org_id),
    ):
        if not value:
            continue
        for phone in phones:
            if phone.get(key) != value or phone.get("type", "voice") not in ("", "voice", "cell"):
                continue
            number = (phone.get("number") or "").strip()
            if not number:
                continue
            verdict = check_phone(number, country)
            if verdict.error:
                rejected.append(number)
                continue
            return international(number, country), rejected
    return "", rejected


def _languages(phones: list[dict[str, str]], sid: str) -> list[str]:
    found: list[str] = []
    for phone in phones:
        if phone.get("service_id") == sid:
            for code in re.split(r"[,;| ]+", phone.get("language") or ""):
                code = code.strip().lower()
                if len(code) == 2 and code.isalpha() and code not in found:
                    found.append(code)
    return found


def _text(value: str, limit: int) -> str:
    text = _SPACE.sub(" ", _TAGS.sub(" ", html.unescape(value))).strip()
    text = text.lstrip(_FORMULA + " ")
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def _web(value: str) -> str:
    value = value.strip()
    return value if re.fullmatch(r"https?://[^\s/?#@]+(?:[/?#]\S*)?", value, re.I) else ""


def _email(value: str) -> str:
    value = value.strip()
    return value if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else ""


def _float(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if -180.0 <= number <= 180.0 else None


def _ident(prefix: str, service_id: str, location_id: str) -> str:
    digest = hashlib.sha256(f"{service_id}|{location_id}".encode()).hexdigest()[:16]
    clean = re.sub(r"[^a-z0-9_-]", "", prefix.lower())[:20] or "hsds"
    return f"{clean}-{digest}"
