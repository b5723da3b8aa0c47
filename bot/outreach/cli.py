"""`python -m bot link …` and `python -m bot card …`: links, QR codes and wallet cards.

Anything the outreach worker can fix is refused with one sentence on stderr and status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from bot.outreach.payload import PLANNED_LANGUAGES, Topic, encode


class _Refused(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one sentence and status 2, like every other refusal."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Refused(message.rstrip(".") + ".")


def _fail(command: str, message: str) -> int:
    print(f"waypoint {command}: {message}", file=sys.stderr)
    return 2


def _common(parser: argparse.ArgumentParser, *, country_required: bool) -> None:
    parser.add_argument("--username", required=True, help="the bot's Telegram username")
    parser.add_argument("--lang", required=True, help=f"language: {' '.join(PLANNED_LANGUAGES)}")
    parser.add_argument(
        "--country", required=country_required, help="ISO 3166-1 alpha-2 code, e.g. DE"
    )


def _link_parser() -> _Parser:
    parser = _Parser(
        prog="python -m bot link",
        description="Print a t.me link that opens the bot in a language and country.",
    )
    _common(parser, country_required=False)
    parser.add_argument("--topic", help=f"first screen: {', '.join(t.value for t in Topic)}")
    parser.add_argument("--qr", type=Path, help="also write a QR code to FILE.png or FILE.svg")
    return parser


def _card_parser() -> _Parser:
    parser = _Parser(
        prog="python -m bot card",
        description="Make a wallet card (85.6 x 54 mm) with a QR code and the national numbers.",
    )
    _common(parser, country_required=True)
    parser.add_argument(
        "--resources",
        type=Path,
        default=Path(os.environ.get("RESOURCES_CSV", "").strip() or "resources.csv"),
        help="the directory file (default: $RESOURCES_CSV or resources.csv)",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="card.pdf or card.png")
    return parser


def _parse(parser: _Parser, argv: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)


def link_main(argv: list[str]) -> int:
    from bot.outreach.link import LinkError, link_url, write_qr
    from bot.outreach.payload import PayloadError

    try:
        args = _parse(_link_parser(), argv)
        if isinstance(args, int):
            return args
        url = link_url(args.username, encode(args.lang, args.country, args.topic))
        if args.qr is not None:
            write_qr(url, args.qr)
    except (_Refused, PayloadError, LinkError) as exc:
        return _fail("link", str(exc))
    except OSError as exc:
        return _fail("link", f"cannot write {args.qr} ({exc.strerror or exc}).")
    print(url)
    return 0


def card_main(argv: list[str]) -> int:
    from bot.outreach import card as cards
    from bot.outreach.fonts import FontNotice
    from bot.outreach.link import LinkError, link_url
    from bot.outreach.payload import PayloadError

    try:
        args = _parse(_card_parser(), argv)
        if isinstance(args, int):
            return args
        if args.output.suffix.lower() not in (".png", ".pdf"):
            raise cards.CardError(
                f"cannot write a card as {args.output.name!r}; name it .png or .pdf."
            )
        payload = encode(args.lang, args.country, None)
        url = link_url(args.username, payload)
        country = args.country.strip().upper()
        lang = args.lang.strip().lower()
        numbers = cards.load_numbers(args.resources, country, lang)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FontNotice)
            cards.write(cards.Card(url=url, lang=lang, numbers=numbers), args.output)
    except (_Refused, PayloadError, LinkError, cards.CardError) as exc:
        return _fail("card", str(exc))
    except OSError as exc:
        return _fail("card", f"cannot write {args.output} ({exc.strerror or exc}).")
    if not numbers.emergency:
        _note(
            f"{args.resources} has no national emergency number for {country}; "
            "the card leaves it out."
        )
    if not numbers.hotline:
        _note(f"{args.resources} has no national hotline for {country}; the card leaves it out.")
    if any(issubclass(w.category, FontNotice) for w in caught):
        _note(
            "no installed font draws every character of this language; install "
            "fonts-noto-core (and fonts-noto-cjk for Chinese) and make the card again."
        )
    print(args.output)
    return 0


def _note(message: str) -> None:
    print(f"waypoint card: {message}", file=sys.stderr)
