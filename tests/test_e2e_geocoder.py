"""`GEOCODER=nominatim` end to end: the real bot asks a (fake, local) Nominatim server for
typed places, offers its results as choices, falls back offline when it fails, and still
writes nothing typed anywhere."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from conftest import seeded_data_dir
from e2e_support import BotProcess, Person

from bot.flows.routes import Route

HELP = Route("help").encode()
SENTINEL = "SENTINEL-numbat-3307"


def result(name: str, lat: float, lon: float, country: str, state: str) -> dict[str, object]:
    """One result as Nominatim's /search answers with addressdetails, namedetails, extratags."""
    return {
        "place_id": 1,
        "osm_type": "node",
        "osm_id": 1,
        "lat": f"{lat}",
        "lon": f"{lon}",
        "class": "place",
        "type": "town",
        "importance": 0.5,
        "addresstype": "town",
        "name": name,
        "display_name": f"{name}, {state}",
        "address": {"town": name, "state": state, "country_code": country},
        "namedetails": {"name": name},
        "extratags": {},
    }


@dataclass
class FakeNominatim:
    """/search and /reverse, Nominatim-shaped; remembers what it was asked."""

    queries: list[str] = field(default_factory=list)
    reverse_calls: int = 0
    delay: float = 0.0  # seconds before each answer: a slow map service
    runner: web.AppRunner | None = None
    port: int = 0

    async def search(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "")
        self.queries.append(query)
        if self.delay:
            await asyncio.sleep(self.delay)
        assert request.headers.get("User-Agent", "").startswith("waypoint-tests")
        assert request.query.get("format") == "json"
        assert "countrycodes" not in request.query
        typed = query.lower()
        if "quokkaville" in typed:
            return web.json_response([result("Quokkaville", 52.52, 13.405, "de", "Berlin")])
        if "twinford" in typed:
            return web.json_response(
                [
                    result("Twinford", 52.52, 13.405, "de", "Berlin"),
                    result("Twinford", 34.0522, -118.2437, "us", "California"),
                ]
            )
        # A server error whose text repeats the query, as some do.
        return web.Response(status=500, text=f"cannot search {query}")

    async def reverse(self, request: web.Request) -> web.Response:
        self.reverse_calls += 1
        return web.json_response({"error": "Unable to geocode"})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/search", self.search)
        app.router.add_get("/reverse", self.reverse)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def nominatim_server() -> AsyncIterator[FakeNominatim]:
    server = FakeNominatim()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_typed_places_are_looked_up_online_only_when_configured(
    own_api, tmp_path: Path, gazetteer_dir: Path, nominatim_server: FakeNominatim
):
    data = seeded_data_dir(tmp_path / "data", gazetteer_dir)
    env = {
        "GEOCODER": "nominatim",
        "GEOCODER_USER_AGENT": "waypoint-tests",
        "GEOCODER_DOMAIN": f"127.0.0.1:{nominatim_server.port}",
        "GEOCODER_SCHEME": "http",
        "LOG_LEVEL": "DEBUG",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    process = BotProcess(own_api, data, tmp_path, env_extra=env)
    await process.start()
    person = Person(own_api)
    try:
        await person.start()
        screen = await person.press_data(HELP)
        # Before typing anything, the person is told where typed towns go.
        assert f"online map service (127.0.0.1:{nominatim_server.port})" in screen.text
        # A town only the online server knows, at Berlin's coordinates.
        screen = await person.say(f"Quokkaville {SENTINEL}")
        assert "Ban Ying" in screen.text, screen.text[:300]
        assert SENTINEL not in screen.text

        await person.press_data(HELP)
        await person.say("Twinford")
        labels = [text for text, _ in person.buttons()]
        assert "Twinford, Berlin" in labels and "Twinford, California" in labels, labels
        choice = next(
            Route.decode(data) for text, data in person.buttons() if text == "Twinford, California"
        )
        assert choice is not None and choice.arg(0).startswith("-")  # an id, not coordinates
        screen = await person.press("Twinford, California")
        # Quokkaville made the chat's country Germany: California is asked about, not assumed.
        assert "Are you there now?" in screen.text, screen.text[:300]
        screen = await person.press("Yes")
        assert "Coalition to Abolish Slavery" in screen.text, screen.text[:300]

        # The server fails: the offline gazetteer answers instead.
        await person.press_data(HELP)
        screen = await person.say("München")
        assert "another country: Germany" in screen.text, screen.text[:300]
        screen = await person.press("Yes")
        assert "Across Germany" in screen.text, screen.text[:300]

        await person.share(52.52, 13.405)  # a location's country is found offline
    finally:
        await process.stop()

    assert any(SENTINEL in q for q in nominatim_server.queries)
    assert "Twinford" in nominatim_server.queries and "München" in nominatim_server.queries
    assert nominatim_server.reverse_calls == 0
    log = process.log()
    assert "looked up online (nominatim at 127.0.0.1:" in log
    assert "online place search failed (GeocoderServiceError)" in log
    assert "DEBUG" in log  # the log really ran at DEBUG
    for needle in (SENTINEL, "Quokkaville", "Twinford", "München", "52.52", "-118.24"):
        assert needle not in log, f"{needle!r} found in the log"
    for path in (p for p in tmp_path.rglob("*") if p.is_file()):
        if path.name.endswith("gazetteer.sqlite3"):
            continue  # GeoNames, copied before the bot started
        content = path.read_bytes()
        for needle in (SENTINEL, "Quokkaville", "Twinford"):
            assert needle.encode() not in content, f"{needle!r} found in {path}"
