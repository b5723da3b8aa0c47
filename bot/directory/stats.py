"""What a maintainer wants to know about the directory at a glance."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from bot.directory.schema import CATEGORIES, Service
from bot.directory.validate import STALE_AFTER


@dataclass(frozen=True)
class DirectoryStats:
    services: int
    by_country: dict[str, int]
    by_category: dict[str, int]
    by_country_category: dict[tuple[str, str], int]
    stale: tuple[Service, ...]
    without_coordinates: tuple[Service, ...]
    countries_without_emergency: tuple[str, ...]


def compute(services: tuple[Service, ...], today: date | None = None) -> DirectoryStats:
    today = today or date.today()
    by_country = Counter(s.country for s in services)
    by_category = Counter(c for s in services for c in s.categories)
    by_pair = Counter((s.country, c) for s in services for c in s.categories)
    stale = tuple(s for s in services if s.last_verified < today - STALE_AFTER)
    unlocated = tuple(s for s in services if not s.located)
    with_emergency = {s.country for s in services if "emergency" in s.categories}
    return DirectoryStats(
        services=len(services),
        by_country=dict(sorted(by_country.items())),
        by_category={c: by_category[c] for c in CATEGORIES if by_category[c]},
        by_country_category=dict(sorted(by_pair.items())),
        stale=tuple(sorted(stale, key=lambda s: s.last_verified)),
        without_coordinates=unlocated,
        countries_without_emergency=tuple(sorted(set(by_country) - with_emergency)),
    )


def render(stats: DirectoryStats, limit: int = 50) -> str:
    """A plain-text report for the terminal."""
    lines = [f"{stats.services} services in {len(stats.by_country)} countries", ""]
    used = [c for c in CATEGORIES if c in stats.by_category]
    short = {c: c[:5] for c in used}
    lines.append("country  total  " + "  ".join(f"{short[c]:>5}" for c in used))
    for country, total in stats.by_country.items():
        cells = "  ".join(
            f"{stats.by_country_category.get((country, c), 0) or '.':>5}" for c in used
        )
        lines.append(f"{country:<7}  {total:>5}  {cells}")
    lines.append("")
    lines.append("by category: " + ", ".join(f"{c} {n}" for c, n in stats.by_category.items()))
    lines.append("")
    lines += _listed(
        "stale (last verified more than 12 months ago)",
        [f"{s.last_verified.isoformat()}  {s.country}  {s.id}" for s in stats.stale],
        limit,
    )
    lines.append("")
    lines += _listed(
        "without coordinates (national services)",
        [f"{s.country}  {s.id}" for s in stats.without_coordinates],
        limit,
    )
    if stats.countries_without_emergency:
        lines.append("")
        lines.append(
            "countries with no emergency row: " + " ".join(stats.countries_without_emergency)
        )
    return "\n".join(lines)


def _listed(title: str, entries: list[str], limit: int) -> list[str]:
    """A counted heading, the first `limit` entries, and how many more there are."""
    lines = [f"{title}: {len(entries)}", *(f"  {e}" for e in entries[:limit])]
    if len(entries) > limit:
        lines.append(f"  ... and {len(entries) - limit} more")
    return lines
