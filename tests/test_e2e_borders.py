"""A shared location's country, end to end: by borders, and from the first second (#15)."""

from __future__ import annotations

from pathlib import Path

from e2e_support import BotProcess, Person

from bot.flows.routes import Route


async def test_a_location_in_singapores_west_opens_singapores_pages(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    await person.share(1.35, 103.70)  # Jurong West: the nearest big towns are Malaysian
    screen = await person.press_data(Route("rights").encode())
    assert "Country: Singapore." in screen.text, screen.text[:300]


async def test_the_first_location_after_a_fresh_start_gets_its_country(
    own_api, tmp_path: Path
) -> None:
    # An empty data dir: the gazetteer is still being built when the location arrives.
    bot = await BotProcess(own_api, tmp_path / "data", tmp_path).start()
    person = Person(own_api)
    try:
        await person.start()
        screen = await person.share(52.52, 13.405)  # Berlin
        # The gazetteer was still building (about a minute) when the answer came.
        assert "gazetteer ready" not in bot.log()
        assert "Across Germany" in screen.text, screen.text[-400:]
        # The chat's country is set too: talk opens Germany's lines, not the country question.
        screen = await person.press_data(Route("talk").encode())
        assert "Hilfetelefon" in screen.text, screen.text[:300]
        assert "gazetteer ready" not in bot.log()
    finally:
        await bot.stop()


async def test_a_location_in_kosovo_says_which_countrys_law_it_assumed(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    screen = await person.share(42.66, 21.16)  # Pristina
    assert "status is disputed" in screen.text
    assert "Serbia" in screen.text
