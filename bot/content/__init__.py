"""Rights and restorative-justice pages, as data a lawyer can review (content/packs/*.toml)."""

from bot.content.checks import validate
from bot.content.library import PACKS_DIR, ContentError, ContentLibrary
from bot.content.model import Pack, Page, Source

__all__ = ["PACKS_DIR", "ContentError", "ContentLibrary", "Pack", "Page", "Source", "validate"]
