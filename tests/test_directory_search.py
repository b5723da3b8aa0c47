"""nearest() orders services by geodesic distance, exactly as a brute-force scan would."""

from __future__ import annotations

import csv
import math
import random
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.directory import Directory
from bot.directory.rtree import SqliteRTree
from bot.directory.schema import COLUMNS
from bot.directory.search import (
    LAMBERT_DELTA,
    LAMBERT_MAX_KM,
    Origin,
    box_km,
    brute_force,
    geodesic_km,
    nearest_rows,
)

FIXTURE = Path(__file__).parent / "data" / "directory" / "small.csv"


def _tree(points: Sequence[tuple[int, float, float, int]], folder: Path) -> SqliteRTree:
    """A real SQLite R*Tree holding the points, as the directory's index has it."""
    path = folder / "tree.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIRTUAL TABLE geo USING rtree(n, lat0, lat1, lon0, lon1, +lat, +lon, +catmask)"
    )
    conn.executemany(
        "INSERT INTO geo VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(n, la, la, lo, lo, la, lo, mask) for n, la, lo, mask in points],
    )
    conn.commit()
    conn.close()
    return SqliteRTree(path)


coordinate = st.tuples(
    st.floats(min_value=-89.0, max_value=89.0, allow_nan=False),
    st.floats(min_value=-180.0, max_value=180.0, allow_nan=False),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    points=st.lists(st.tuples(coordinate, st.integers(1, 7)), min_size=1, max_size=400),
    here=coordinate,
    k=st.integers(min_value=1, max_value=8),
    mask=st.sampled_from([0, 1, 2, 4]),
)
def test_nearest_rows_match_a_brute_force_geodesic_scan(points, here, k, mask) -> None:
    rows = [(i + 1, la, lo, m) for i, ((la, lo), m) in enumerate(points)]
    lat, lon = here
    with tempfile.TemporaryDirectory() as folder:
        tree = _tree(rows, Path(folder))
        try:
            got = nearest_rows(tree, lat, lon, k, mask)
        finally:
            tree.close()
    wanted = [(n, la, lo) for n, la, lo, m in rows if not mask or m & mask]
    expected = brute_force(wanted, lat, lon, k)
    # Ties aside, the same rows in the same order, at geopy's distances.
    assert [round(km, 6) for _, km in got] == [round(km, 6) for _, km in expected]
    assert len(got) == min(k, len(wanted))


offset = st.tuples(
    st.floats(min_value=-2.0, max_value=2.0, allow_nan=False),
    st.floats(min_value=-2.0, max_value=2.0, allow_nan=False),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    offsets=st.lists(offset, min_size=1, max_size=300),
    here=coordinate,
    k=st.integers(min_value=1, max_value=8),
)
def test_nearest_rows_among_close_neighbours_match_a_brute_force_scan(offsets, here, k) -> None:
    # Services crowded around the point: distances differ by little, so a loose bound
    # anywhere in the walk shows up as a wrong order.
    lat, lon = here
    rows = [
        (i + 1, max(-90.0, min(90.0, lat + dla)), (lon + dlo + 180.0) % 360.0 - 180.0, 1)
        for i, (dla, dlo) in enumerate(offsets)
    ]
    with tempfile.TemporaryDirectory() as folder:
        tree = _tree(rows, Path(folder))
        try:
            got = nearest_rows(tree, lat, lon, k)
        finally:
            tree.close()
    expected = brute_force([(n, la, lo) for n, la, lo, _ in rows], lat, lon, k)
    assert [round(km, 6) for _, km in got] == [round(km, 6) for _, km in expected]


def test_crowded_services_come_in_exact_geodesic_order(tmp_path) -> None:
    # Hundreds of services within a few kilometres: neighbours differ by metres, so a bound
    # that is loose by even a fraction of a percent shows up as a wrong answer.
    rng = random.Random(17)
    rows = [
        (i + 1, 59.9 + rng.uniform(-0.3, 0.3), 10.7 + rng.uniform(-0.6, 0.6), 1)
        for i in range(1000)
    ]
    tree = _tree(rows, tmp_path)
    located = [(n, la, lo) for n, la, lo, _ in rows]
    try:
        for _ in range(40):
            lat, lon = 59.9 + rng.uniform(-2, 2), 10.7 + rng.uniform(-4, 4)
            got = nearest_rows(tree, lat, lon, 8)
            expected = sorted((geodesic_km(lat, lon, la, lo), n) for n, la, lo in located)[:8]
            assert [n for n, _ in got] == [n for _, n in expected]
    finally:
        tree.close()


def test_a_point_far_from_everything_finds_the_nearest_across_an_ocean(tmp_path) -> None:
    rng = random.Random(5)
    # Dense clusters on two coasts, nothing in between: the walk must not read them all.
    rows = [(i + 1, 40 + rng.gauss(0, 0.5), -74 + rng.gauss(0, 0.5), 1) for i in range(3000)] + [
        (3001 + i, 51 + rng.gauss(0, 0.5), -0.1 + rng.gauss(0, 0.5), 1) for i in range(3000)
    ]
    tree = _tree(rows, tmp_path)
    opened: list[int] = []
    inner, leaf = tree.inner, tree.leaf

    def counting(read):  # type: ignore[no-untyped-def]
        def opening(number: int):  # type: ignore[no-untyped-def]
            opened.append(number)
            return read(number)

        return opening

    tree.inner, tree.leaf = counting(inner), counting(leaf)  # type: ignore[method-assign]
    got = nearest_rows(tree, 45.0, -40.0, 5)
    tree.close()
    expected = brute_force([(n, la, lo) for n, la, lo, _ in rows], 45.0, -40.0, 5)
    assert [n for n, _ in got] == [n for n, _ in expected]
    assert len(opened) < 20


@settings(max_examples=300, deadline=None)
@given(here=coordinate, corner=coordinate, size=st.tuples(st.floats(0, 40), st.floats(0, 90)))
def test_a_box_is_never_nearer_than_its_nearest_point(here, corner, size) -> None:
    south, west = corner
    north, east = min(south + size[0], 90.0), min(west + size[1], 180.0)
    km = box_km(*here, south, north, west, east)
    rng = random.Random(hash((here, corner)))
    samples = [(south, west), (south, east), (north, west), (north, east)] + [
        (rng.uniform(south, north), rng.uniform(west, east)) for _ in range(30)
    ]
    origin = Origin(*here)
    nearest = min(origin.sphere_km(la, lo) for la, lo in samples)
    assert km <= nearest + 0.005  # arc cosines near 1 are good to a fraction of a metre
    if south <= here[0] <= north and west <= here[1] <= east:
        assert km == 0.0


def test_lamberts_formula_stays_within_its_margin_of_the_geodesic() -> None:
    rng = random.Random(11)
    worst = 0.0
    for i in range(20_000):
        lat1, lon1 = math.degrees(math.asin(rng.uniform(-1, 1))), rng.uniform(-180, 180)
        spread = (0.2, 5.0, 90.0)[i % 3]
        lat2 = max(-90.0, min(90.0, lat1 + rng.gauss(0, spread)))
        lon2 = (lon1 + rng.gauss(0, spread) + 180) % 360 - 180
        exact = geodesic_km(lat1, lon1, lat2, lon2)
        if exact < 0.001 or exact >= LAMBERT_MAX_KM:
            continue
        worst = max(worst, abs(Origin(lat1, lon1).lambert_km(lat2, lon2) - exact) / exact)
    assert worst < LAMBERT_DELTA / 20


def test_geodesic_km_is_geopys_geodesic() -> None:
    for a, b in [
        ((51.5, -0.12), (48.85, 2.35)),
        ((-33.9, 151.2), (35.7, 139.7)),
        ((0, 0), (0, 179)),
    ]:
        assert geodesic_km(*a, *b) == pytest.approx(geodesic(a, b).km, rel=1e-12)


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
