"""Places offline: a GeoNames gazetteer in SQLite, searched by typed name or by point."""

from __future__ import annotations

from typing import Any

from bot.geo.gazetteer import Gazetteer, GazetteerUnavailable
from bot.geo.names import normalise
from bot.geo.place import Match, Place, distance_km

__all__ = [
    "Gazetteer",
    "GazetteerBuildError",
    "GazetteerUnavailable",
    "Match",
    "Place",
    "distance_km",
    "ensure_built",
    "normalise",
]

# `bot.geo.build` is also the name of the submodule, so the function is not re-exported.
_FROM_BUILD = ("GazetteerBuildError", "ensure_built")


def __getattr__(name: str) -> Any:
    # bot.geo.build is imported on first use only: `python -m bot.geo.build` (how the build
    # runs in its own process) warns when the package has already imported that module.
    if name in _FROM_BUILD:
        import importlib

        return getattr(importlib.import_module("bot.geo.build"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
