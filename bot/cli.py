"""The command line: run the bot (polling, webhook or terminal chat) and the maintainer tools.

Problems a person can fix (configuration, an unreachable Bot API, a broken directory) are
printed as one sentence with a non-zero exit status, never as a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from bot.config import Config, ConfigError, load

USAGE = """usage: python -m bot [COMMAND]

  (none)              run the bot (long polling); with no TELEGRAM_BOT_TOKEN: terminal chat
  webhook             run the bot behind a webhook (WEBHOOK_URL, WEBHOOK_SECRET, PORT)
  terminal            the local terminal chat, even when a token is set
  resources ...       validate, stats, import-hsds: tools for the service directory
  gazetteer build     build the offline place-name index ahead of time
  link ...            an outreach link (and QR code) opening the bot in a language and country
  card ...            a printable wallet card with the QR code and the country's numbers
  book ...            every screen of one language and country as one HTML page, for review
  keys rotate         a new key for the one-way chat codes; forgets all kept state
"""


def fail(message: str, status: int = 2) -> int:
    print(f"waypoint: {message}", file=sys.stderr)
    return status


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    tools: dict[str, Callable[[list[str]], int]] = {
        "resources": _resources,
        "gazetteer": _gazetteer,
        "link": _link,
        "card": _card,
        "book": _book,
        "keys": _keys,
    }
    if command in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if command in tools:
        return tools[command](argv[1:])
    from bot.i18n import CatalogError, compile_catalogs

    try:
        config = load()
        compile_catalogs()
    except (ConfigError, CatalogError) as exc:
        return fail(str(exc))
    if command == "webhook":
        return _run(config, webhook=True)
    if command == "terminal" or (command == "" and config.token is None):
        from bot.terminal import run_terminal

        return run_terminal(config)
    if command == "":
        return _run(config, webhook=False)
    print(USAGE, file=sys.stderr)
    return fail(f"unknown command {command!r}.")


def _keys(argv: list[str]) -> int:
    """`keys rotate`: a new HMAC key. Codes made with the old one would match nothing, so the
    state kept under them is forgotten at once rather than left to expire."""
    if argv != ["rotate"]:
        return fail("usage: python -m bot keys rotate (stop the bot first)")
    import asyncio
    import os
    from pathlib import Path

    from bot.privacy import MAKE_KEY, rotate_key
    from bot.store import StateStore

    data_dir = Path(os.environ.get("BOT_DATA_DIR", "").strip() or "data")

    async def forget_everything() -> int:
        store = await StateStore.open(data_dir)
        try:
            return await store.forget_all()
        finally:
            await store.close()

    forgotten = asyncio.run(forget_everything())
    print(f"forgot the kept state of {forgotten} chat(s)")
    if os.environ.get("BOT_SECRET_KEY", "").strip():
        print(f"BOT_SECRET_KEY is set: give it a new value before the next start ({MAKE_KEY})")
    elif rotate_key(data_dir):
        print(f"removed {data_dir / 'secret.key'}; the next start generates a new key")
    else:
        print("no generated key to remove; the next start generates one")
    return 0


def _resources(argv: list[str]) -> int:
    from bot.directory.cli import main as resources_main

    return resources_main(argv)


def _gazetteer(argv: list[str]) -> int:
    from bot.geo.build import main as gazetteer_main

    return gazetteer_main(argv)


def _link(argv: list[str]) -> int:
    from bot.outreach.cli import link_main

    return link_main(argv)


def _card(argv: list[str]) -> int:
    from bot.outreach.cli import card_main

    return card_main(argv)


def _book(argv: list[str]) -> int:
    from bot.outreach.book import book_main

    return book_main(argv)


def _run(config: Config, *, webhook: bool) -> int:
    from telegram.error import InvalidToken, NetworkError, TimedOut

    from bot.app import build_application
    from bot.parts import StartupError
    from bot.privacy import setup_logging
    from bot.runtime import KEY

    if config.token is None:
        return fail("TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and set it.")
    setup_logging(getattr(logging, config.log_level), hide=(config.token,))
    if webhook and (config.webhook_url is None or config.webhook_secret is None):
        return fail("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET to be set.")
    app = build_application(config, polling=not webhook)
    try:
        if webhook:
            import asyncio

            from bot.webhook import serve

            asyncio.run(serve(app, config))
        else:
            app.run_polling(allowed_updates=all_update_types(), poll_interval=0.0, timeout=30)
    except InvalidToken:
        return fail("the Bot API refused TELEGRAM_BOT_TOKEN; check it with @BotFather.")
    except (NetworkError, TimedOut) as exc:
        return fail(
            f"cannot reach the Bot API at {config.api_base_url} ({type(exc).__name__}); "
            "check TELEGRAM_API_BASE_URL and the network."
        )
    except StartupError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot listen on {config.listen}:{config.port} ({exc.strerror}).")
    finally:
        for transport in app.bot_data[KEY].transports:
            transport.discard()
    return 0


def all_update_types() -> list[str]:
    from telegram import Update

    return Update.ALL_TYPES
