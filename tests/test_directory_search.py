"""nearest() orders services by geodesic distance, exactly as a brute-force scan would."""

from __future__ import annotations

import asyncio
import csv
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.directory import Directory
from bot.directory.schema import COLUMNS
from bot.directory.search import boxes_around, brute_force, geodesic_km, nearest_rows

FIXTURE = Path(__file__).parent / "data" / "directory" / "small.csv"


def _fake_query(points: Sequence[tuple[int, float, float]], lat: float, lon: float):
    """The BoxQuery contract, answered by a scan instead of SQLite."""

    def inside(la: float, lo: float, box: tuple[float, float, float, float]) -> bool:
        south, north, west, east = box
        return south <= la <= north and west <= lo <= east

    async def query(boxes, fetch, cap):  # type: ignore[no-untyped-def]
        hits = [p for p in points if any(inside(p[1], p[2], b) for b in boxes)]
        if cap is not None:
            random.Random(len(hits)).shuffle(hits)  # any order
            return hits[: cap + 1], min(len(hits), cap + 1)
        sphere = (6371.0088, 6371.0088, 0.0)
        hits.sort(key=lambda p: geodesic((lat, lon), (p[1], p[2]), ellipsoid=sphere).km)
        return hits[:fetch], len(hits)

    return query


coordinate = st.tuples(
    st.floats(min_value=-89.0, max_value=89.0, allow_nan=False),
    st.floats(min_value=-180.0, max_value=180.0, allow_nan=False),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    points=st.lists(coordinate, min_size=1, max_size=300),
    here=coordinate,
    k=st.integers(min_value=1, max_value=8),
)
def test_nearest_rows_match_a_brute_force_geodesic_scan(points, here, k) -> None:
    rows = [(i + 1, la, lo) for i, (la, lo) in enumerate(points)]
    lat, lon = here
    got = asyncio.run(nearest_rows(_fake_query(rows, lat, lon), lat, lon, k, len(rows)))
    expected = brute_force(rows, lat, lon, k)
    assert [round(km, 6) for _, km in got] == [round(km, 6) for _, km in expected]
    # Ties aside, the same rows in the same order.
    assert len(got) == min(k, len(rows))


def test_geodesic_km_is_geopys_geodesic() -> None:
    for a, b in [
        ((51.5, -0.12), (48.85, 2.35)),
        ((-33.9, 151.2), (35.7, 139.7)),
        ((0, 0), (0, 179)),
    ]:
        assert geodesic_km(*a, *b) == pytest.approx(geodesic(a, b).km, rel=1e-12)


def test_boxes_cover_the_antimeridian_and_the_poles() -> None:
    assert len(boxes_around(0.0, 179.9, 100.0)) == 2
    polar = boxes_around(89.5, 10.0, 200.0)
    assert polar[0][0] == pytest.approx(87.7, abs=0.1) and polar[-1][1] == 90.0
    assert (polar[-1][2], polar[-1][3]) == (-180.0, 180.0)
    assert boxes_around(10.0, 10.0, 30000.0) == [(-90.0, 90.0, -180.0, 180.0)]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})


@pytest.fixture
async def random_directory(tmp_path: Path):
    rng = random.Random(7)
    rows = []
    for i in range(400):
        rows.append(
            {
                "id": f"s-{i}",
                "name": f"Service {i}",
                "categories": rng.choice(["shelter", "legal", "medical|legal"]),
                "country": "US",
                "latitude": f"{rng.uniform(-60, 70):.5f}",
                "longitude": f"{rng.uniform(-180, 180):.5f}",
                "national": "false",
                "last_verified": "2026-11-01",
            }
        )
    path = tmp_path / "r.csv"
    _write(path, rows)
    directory = await Directory.open(path, tmp_path / "data")
    yield (
        directory,
        [(r["id"], float(r["latitude"]), float(r["longitude"]), r["categories"]) for r in rows],
    )
    await directory.close()


async def test_nearest_orders_by_geodesic_distance(random_directory) -> None:
    directory, rows = random_directory
    rng = random.Random(3)
    for _ in range(15):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-180, 180)
        nearby = await directory.nearest(lat, lon, k=5, country="")
        expected = sorted(rows, key=lambda r: geodesic((lat, lon), (r[1], r[2])).km)[:5]
        assert [s.id for s, _ in nearby.local] == [r[0] for r in expected]
        kms = [km for _, km in nearby.local]
        assert kms == sorted(kms)
        assert nearby.has_more


async def test_paging_and_category_filter(random_directory) -> None:
    directory, rows = random_directory
    first = await directory.nearest(40.0, -100.0, k=3, country="")
    second = await directory.nearest(40.0, -100.0, k=3, offset=3, country="")
    both = await directory.nearest(40.0, -100.0, k=6, country="")
    assert [s.id for s, _ in first.local + second.local] == [s.id for s, _ in both.local]
    medical = await directory.nearest(40.0, -100.0, categories=["medical"], k=4, country="")
    assert medical.local and all("medical" in s.categories for s, _ in medical.local)
    expected = sorted(
        (r for r in rows if "medical" in r[3]),
        key=lambda r: geodesic((40.0, -100.0), (r[1], r[2])).km,
    )[:4]
    assert [s.id for s, _ in medical.local] == [r[0] for r in expected]


async def test_max_km_limits_the_search(random_directory) -> None:
    directory, _ = random_directory
    nearby = await directory.nearest(-89.0, 0.0, k=5, country="", max_km=50.0)
    assert nearby.local == () and not nearby.has_more


@pytest.fixture
async def small(tmp_path: Path):
    shutil.copy(FIXTURE, tmp_path / "small.csv")
    directory = await Directory.open(tmp_path / "small.csv", tmp_path / "data")
    yield directory
    await directory.close()


async def test_national_lines_and_emergency_come_with_the_country(small: Directory) -> None:
    nearby = await small.nearest(51.51, -0.13, k=2)
    assert [s.id for s, _ in nearby.local] == ["gb-test-central", "gb-test-north"]
    assert nearby.country == "GB"
    assert [s.id for s in nearby.national] == ["gb-test-helpline"]
    assert nearby.emergency is not None and nearby.emergency.phone == "999"
    assert nearby.has_more


async def test_national_services_are_never_local(small: Directory) -> None:
    nearby = await small.nearest(51.51, -0.13, k=10)
    assert all(not s.national for s, _ in nearby.local)
    assert len(nearby.local) == 7 and not nearby.has_more


async def test_lookups_by_country_and_id(small: Directory) -> None:
    assert await small.countries() == ["GB", "US"]
    assert [s.id for s in await small.national("gb")] == ["gb-test-helpline", "gb-test-emergency"]
    assert [s.id for s in await small.national("GB", ["hotline"])] == ["gb-test-helpline"]
    assert (await small.emergency("US")).phone == "911"  # type: ignore[union-attr]
    assert await small.emergency("FR") is None
    service = await small.get("gb-test-central")
    assert service is not None
    assert service.categories == ("shelter", "counselling")
    assert service.languages == ("en", "pl")
    assert service.name_in("es") == "Refugio Central de Prueba"
    assert service.name_in("es_MX") == "Refugio Central de Prueba"
    assert service.name_in("fr") == "Central Test Shelter"
    assert await small.get("nope") is None


@settings(max_examples=200, deadline=None)
@given(
    center=coordinate,
    point=coordinate,
    km=st.floats(min_value=0.1, max_value=21000.0, allow_nan=False),
)
def test_the_boxes_cover_every_point_of_the_disc(center, point, km) -> None:
    if geodesic(center, point).km > km:
        return
    boxes = boxes_around(center[0], center[1], km)
    assert any(s <= point[0] <= n and w <= point[1] <= e for s, n, w, e in boxes)
