"""Opening and closing the bot's parts: directory, content library, gazetteer.

The directory and the content are needed at once; the gazetteer can take a minute to build
the first time, so it is built in a separate process in the background while the bot answers
everything else.  With `GEOCODER=nominatim`, typed places are looked up online from the
start, with the gazetteer behind them once it is open.
"""

from __future__ import annotations

import asyncio
import logging

from bot.runtime import Runtime

log = logging.getLogger("waypoint.parts")


class StartupError(Exception):
    """A part cannot start; the message is one sentence for the operator."""


async def open_all(rt: Runtime) -> None:
    from bot.content import ContentLibrary
    from bot.directory import Directory, DirectoryError

    config = rt.config
    try:
        rt.deps.directory = await Directory.open(config.resources_csv, config.data_dir)
    except DirectoryError as exc:
        raise StartupError(str(exc)) from None
    rt.background.append(asyncio.create_task(rt.deps.directory.watch(), name="directory-watch"))
    rt.deps.content = ContentLibrary.load()
    if config.geocoder == "nominatim":
        _open_online_places(rt)
    ready = asyncio.Event()
    rt.deps.extra = {"gazetteer_ready": ready}
    rt.background.append(asyncio.create_task(_open_gazetteer(rt, ready), name="gazetteer"))


def _open_online_places(rt: Runtime) -> None:
    from bot.geo.geocoder import nominatim
    from bot.geo.online import OnlinePlaces

    config = rt.config
    server = nominatim(
        config.geocoder_user_agent or "",
        domain=config.geocoder_domain,
        scheme=config.geocoder_scheme,
    )
    rt.deps.typed_places = OnlinePlaces(server.geocode, offline=lambda: rt.deps.gazetteer)
    rt.deps.typed_places_server = config.geocoder_domain
    log.info(
        "typed places are looked up online (nominatim at %s); see docs/gazetteer.md",
        config.geocoder_domain,
    )


async def _open_gazetteer(rt: Runtime, ready: asyncio.Event) -> None:
    from bot.geo.build import db_path, ensure_built, is_usable
    from bot.geo.gazetteer import Gazetteer

    path = db_path(rt.config.data_dir)
    if path.exists() and not await asyncio.to_thread(is_usable, path):
        log.warning("gazetteer unusable (damaged or old); rebuilding it in the background")
    elif not path.exists():
        log.info("gazetteer not built yet; building it in the background")
    try:
        await ensure_built(rt.config.data_dir)
        rt.deps.gazetteer = await Gazetteer.open(rt.config.data_dir)
        log.info("gazetteer ready")
    except Exception as exc:  # noqa: BLE001 - the bot goes on without typed places
        log.error("gazetteer unavailable (%s)", type(exc).__name__)
    finally:
        ready.set()


async def close_all(rt: Runtime) -> None:
    for part in (rt.deps.directory, rt.deps.typed_places, rt.deps.gazetteer):
        if part is not None:
            try:
                await part.close()
            except Exception as exc:  # noqa: BLE001 - closing must not stop the shutdown
                log.info("closing a part failed (%s)", type(exc).__name__)
