"""Callback data as a small typed codec.

A Route names a screen and its arguments.  It travels in a button's callback_data as
`w1|name|arg|arg`, at most 64 bytes (Telegram's limit).  Anything that does not decode
cleanly — forged, stale, garbled — decodes to None, and the caller opens the main menu.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "w1"
SEP = "|"
MAX_BYTES = 64
_TOKEN = re.compile(r"[A-Za-z0-9_.\-]{1,40}")


class RouteTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    name: str
    args: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for part in (self.name, *self.args):
            if not _TOKEN.fullmatch(part):
                raise ValueError(f"route part {part!r} is not a plain token")

    def encode(self) -> str:
        data = SEP.join((PREFIX, self.name, *self.args))
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise RouteTooLong(data)
        return data

    @classmethod
    def decode(cls, data: object) -> Route | None:
        if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
            return None
        parts = data.split(SEP)
        if len(parts) < 2 or parts[0] != PREFIX:
            return None
        try:
            return cls(parts[1], tuple(parts[2:]))
        except ValueError:
            return None

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


def route(name: str, *args: str) -> Route:
    return Route(name, tuple(args))
