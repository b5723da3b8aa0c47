"""A person whose Telegram app is set to a shipped language is greeted in it; deep links work."""

from __future__ import annotations

import pytest
from e2e_support import Person

from bot.i18n import shipped_languages, translator


@pytest.mark.parametrize("lang", shipped_languages())
async def test_a_person_is_greeted_in_the_language_of_their_app(running_bot, clean_api, lang):
    person = Person(clean_api, lang={"zh": "zh-hans", "tl": "fil"}.get(lang, lang))
    screen = await person.start()
    t = translator(lang)
    assert t.pgettext("menu", "🌐 Language") in [text for text, _ in person.buttons()]
    assert t.gettext("Waypoint") in screen.text


async def test_a_deep_link_opens_its_language_country_and_topic(running_bot, clean_api):
    person = Person(clean_api, lang="en")
    screen = await person.start("v1-es-DE-3")  # Spanish, Germany, talk to a person now
    t = translator("es")
    assert t.gettext("Talk to a person now") in screen.text
    assert "116 016" in screen.text  # Germany's national line, from resources.csv
    assert t.pgettext("button", "✖ Quick exit") in [text for text, _ in person.buttons()]


async def test_a_garbled_deep_link_opens_the_normal_menu(running_bot, clean_api):
    person = Person(clean_api)
    screen = await person.start("v9-zz-QQ-7-garbage")
    assert "automated guide" in screen.text
