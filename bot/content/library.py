"""All packs, and which page a person in a given country sees for a topic.

A country's pages fall back along a chain: the country's own pack, then "eu" for EU members,
then "international".  The restorative-justice pack is shared by everyone and is looked in last.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.content.model import Pack, Page
from bot.content.packs import parse_pack

PACKS_DIR = Path(__file__).resolve().parent.parent.parent / "content" / "packs"
BASE = "international"
RESTORATIVE = "restorative"


class ContentError(ValueError):
    """The packs cannot be read at all (broken TOML, a pack without its id or date)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class ContentLibrary:
    def __init__(self, packs: Iterable[Pack]) -> None:
        self._packs = {pack.id: pack for pack in packs}

    @classmethod
    def load(cls, dir: Path = PACKS_DIR) -> ContentLibrary:
        """Every `*.toml` pack in `dir`; raises ContentError if one cannot be read.

        Problems that leave the packs usable (a long body, a dangling link) do not stop the
        bot; `validate()` reports them and the tests fail on them.
        """
        packs, problems = read_packs(dir)
        if len(packs) < len(list(dir.glob("*.toml"))):
            raise ContentError(problems)
        if BASE not in {p.id for p in packs}:
            raise ContentError([f"{dir}: no {BASE}.toml pack"])
        return cls(packs)

    def packs(self) -> list[Pack]:
        return list(self._packs.values())

    def pack(self, pack_id: str) -> Pack | None:
        return self._packs.get(pack_id)

    def countries(self) -> list[str]:
        """ISO codes of the countries that have a pack of their own."""
        return sorted(p.country for p in self._packs.values() if p.country)

    def pack_for(self, country: str | None) -> Pack | None:
        """The country's own pack, if it has one."""
        return self._packs.get(country.lower()) if country else None

    def chain(self, country: str | None) -> tuple[Pack, ...]:
        """The packs a country's rights pages come from, most specific first."""
        start = self.pack_for(country) or self._packs.get(BASE)
        chain: list[Pack] = []
        while start is not None and start not in chain:
            chain.append(start)
            start = self._packs.get(start.falls_back_to) if start.falls_back_to else None
        return tuple(chain)

    def page(self, page_id: str, country: str | None) -> Page | None:
        for pack in (*self.chain(country), *self._restorative()):
            found = pack.get(page_id)
            if found is not None:
                return found
        return None

    def rights_topics(self, country: str | None) -> list[Page]:
        """The rights menu for a country, in order, each topic in its most specific version.

        The international pack sets the order.  A topic a more specific pack adds goes right
        after the topic named in its `after`, or at the end.
        """
        ids: list[str] = []
        for pack in reversed(self.chain(country)):
            for p in pack.pages:
                if p.menu != "rights" or p.id in ids:
                    continue
                if p.after in ids:
                    position = ids.index(p.after) + 1
                    while position < len(ids) and self._added_after(ids[position], p.after):
                        position += 1
                    ids.insert(position, p.id)
                else:
                    ids.append(p.id)
        pages = (self.page(i, country) for i in ids)
        return [p for p in pages if p is not None]

    def _added_after(self, page_id: str, anchor: str | None) -> bool:
        # Keeps several pages added after the same topic in the order their pack lists them.
        return any(
            p.id == page_id and p.after == anchor for pack in self.packs() for p in pack.pages
        )

    def restorative_topics(self) -> list[Page]:
        return [p for pack in self._restorative() for p in pack.pages if p.menu == "restorative"]

    def reflection_steps(self) -> list[Page]:
        return [
            p
            for pack in self._restorative()
            for s in pack.reflection_steps
            if (p := pack.get(s)) is not None
        ]

    def reflection_outcome(self, outcome: str) -> Page | None:
        for pack in self._restorative():
            page_id = dict(pack.reflection_outcomes).get(outcome)
            if page_id is not None:
                return pack.get(page_id)
        return None

    def all_pages(self) -> list[Page]:
        return [p for pack in self._packs.values() for p in pack.pages]

    def _restorative(self) -> tuple[Pack, ...]:
        pack = self._packs.get(RESTORATIVE)
        return (pack,) if pack is not None else ()


def read_packs(dir: Path) -> tuple[list[Pack], list[str]]:
    packs: list[Pack] = []
    problems: list[str] = []
    for path in sorted(dir.glob("*.toml")):
        pack, found = parse_pack(path.read_text(encoding="utf-8"), path.name)
        problems += found
        if pack is None:
            continue
        if pack.id != path.stem:
            problems.append(f"{path.name}: pack id {pack.id!r} must match the file name")
        packs.append(pack)
    return packs, problems
