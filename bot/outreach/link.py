"""The t.me link an outreach worker hands over, and its QR code for print."""

from __future__ import annotations

import re
from pathlib import Path

import segno

# Telegram: 5–32 characters of letters, digits and underscores, starting with a letter;
# a bot's username ends in "bot".
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")

# Q survives a creased, scuffed or partly covered card better than M, and a t.me link is
# short enough that it still fits in a small symbol.
ERROR_LEVEL = "q"
QUIET_ZONE = 4  # modules; the standard's minimum for reliable scanning
PNG_TARGET_PX = 600
SVG_MODULE_MM = 1.0  # a 1 mm module scans from arm's length, even on worn paper


class LinkError(ValueError):
    """A link that cannot be made; the message is one sentence for the outreach worker."""


def check_username(username: str) -> str:
    """The bot's username without a leading @, or LinkError when Telegram would refuse it."""
    name = username.strip().removeprefix("@")
    if not _USERNAME.fullmatch(name):
        raise LinkError(
            f"{username!r} is not a bot username: use 5 to 32 letters, digits or "
            "underscores, starting with a letter and ending in 'bot'."
        )
    return name


def link_url(username: str, payload: str) -> str:
    return f"https://t.me/{check_username(username)}?start={payload}"


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_LEVEL, micro=False, boost_error=False)


def png_scale(qr: segno.QRCode) -> int:
    """Pixels per module so the PNG, quiet zone included, is close to PNG_TARGET_PX."""
    width, _ = qr.symbol_size(scale=1, border=QUIET_ZONE)
    return max(4, round(PNG_TARGET_PX / width))


def write_qr(url: str, path: Path) -> None:
    """A print-ready QR code: PNG of about 600 px, or SVG measured in millimetres."""
    qr = qr_code(url)
    kind = path.suffix.lower().lstrip(".")
    if kind == "png":
        qr.save(str(path), kind="png", scale=png_scale(qr), border=QUIET_ZONE, dpi=300)
    elif kind == "svg":
        qr.save(str(path), kind="svg", scale=SVG_MODULE_MM, unit="mm", border=QUIET_ZONE)
    else:
        raise LinkError(f"cannot write a QR code as {path.name!r}; name it .png or .svg.")
