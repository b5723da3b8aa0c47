"""Finding help end to end: a shared location, typed places in four scripts, a typo, an
ambiguous name, a country name and nonsense — through the real bot and the Bot API server."""

from __future__ import annotations

from e2e_support import Person

from bot.flows.routes import Route

HELP = Route("help").encode()


async def asked_where(person: Person) -> None:
    await person.start()
    await person.press_data(HELP)


async def test_a_shared_location_lists_the_nearest_services_and_the_national_lines(
    running_bot, clean_api
):
    person = Person(clean_api)
    await person.start()
    screen = await person.share(52.52, 13.405)  # Berlin
    assert "Help near you" in screen.text
    assert "Ban Ying" in screen.text
    assert "112" in screen.text  # Germany's emergency number, from resources.csv
    names = [r.name for r in person.routes()]
    assert "results_map" in names and "exit" in names and "menu" in names
    pins_before = len([m for m in clean_api.chat_messages(person.chat_id) if m.kind == "venue"])
    await person.open("results_map")
    await clean_api.wait_for(
        lambda: len([m for m in clean_api.chat_messages(person.chat_id) if m.kind == "venue"])
        > pins_before
    )


async def test_a_location_far_from_every_service_still_gets_a_kind_word(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    screen = await person.share(-48.0, -120.0)  # the South Pacific
    assert "You are not alone" in screen.text or "no service" in screen.text


async def test_typed_places_in_four_scripts_and_with_a_typo_find_the_town(running_bot, clean_api):
    for typed, expected in (
        ("München", "Across Germany"),
        ("Мюнхен", "Across Germany"),
        ("Київ", "Across Ukraine"),
        ("北京", "Help near you"),
        ("القاهرة", "Help near you"),
        ("Lyonn", "Emergency: 112"),  # nothing within 150 km of Lyon: no far-away list
    ):
        person = Person(clean_api)
        await asked_where(person)
        screen = await person.say(typed)
        assert expected in screen.text, (typed, screen.text[:200])
        assert typed not in screen.text


async def test_an_ambiguous_name_offers_places_a_person_can_tell_apart(running_bot, clean_api):
    person = Person(clean_api)
    await asked_where(person)
    await person.say("Springfield")
    labels = [text for text, _ in person.buttons()]
    assert any("Illinois" in label for label in labels)
    assert any("Missouri" in label for label in labels)
    screen = await person.press("Illinois")
    assert "Help near you" in screen.text
    assert "Polaris" in screen.text or "National Human Trafficking Hotline" in screen.text


async def test_a_country_name_sets_the_country_and_shows_its_lines(running_bot, clean_api):
    person = Person(clean_api)
    await asked_where(person)
    screen = await person.say("Deutschland")
    assert "Talk to a person now" in screen.text or "112" in screen.text
    assert "Hilfetelefon" in screen.text or "112" in screen.text


async def test_nonsense_gets_a_friendly_not_found_with_ways_on(running_bot, clean_api):
    for typed in ("qqxzv wrrrk", "🙂🙂", "%' OR 1=1 --", "\u200f\u200f", "x" * 150):
        person = Person(clean_api)
        await asked_where(person)
        screen = await person.say(typed)
        assert "could not find" in screen.text or "only follow the buttons" in screen.text
        assert {"exit", "menu"} <= {r.name for r in person.routes()}


async def test_a_london_user_typing_a_far_city_is_asked_and_keeps_uk_numbers(
    running_bot, clean_api
):
    from bot.outreach.payload import encode

    person = Person(clean_api)
    await person.start(encode("en", "GB", "help"))
    await person.press_data(HELP)
    screen = await person.say("Hồ Chí Minh")
    assert "another country: Vietnam. Are you there now?" in screen.text, screen.text[:300]
    screen = await person.press("No")
    assert "999" in screen.text and "113" not in screen.text, screen.text[-300:]
    # Still the UK: the talk screen shows British lines.
    screen = await person.press_data(Route("talk").encode())
    assert "Modern Slavery" in screen.text and "113" not in screen.text


async def test_munich_results_hold_no_service_from_france(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    screen = await person.share(48.137, 11.575)
    assert "Help near you" in screen.text
    assert "France" not in screen.text and "CCEM" not in screen.text, screen.text[:400]
    assert "112" in screen.text


async def test_a_country_typed_in_the_rights_picker_opens_its_rights(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    await person.press_data(Route("country", ("0", "rights")).encode())
    screen = await person.say("Deutschland")
    assert screen.text.startswith("Your rights"), screen.text[:300]
    assert "Country: Germany." in screen.text
    assert "page" in {r.name for r in person.routes()}  # the topics of Germany's rights


async def test_a_near_miss_in_thai_is_asked_about_not_taken(running_bot, clean_api):
    # "บูคาเรสต์" is one letter longer than CLDR's "บูคาเรส" (Bucharest): in Thai a letter more
    # is as often another word, so the bot asks instead of deciding.
    person = Person(clean_api)
    await asked_where(person)
    screen = await person.say("บูคาเรสต์")
    assert "Did you mean this place?" in screen.text
    assert "Help near you" not in screen.text
    assert any("Bucharest" in label for label, _ in person.buttons())
    screen = await person.press("Bucharest")
    assert "Help near you" in screen.text or "Emergency" in screen.text


async def test_an_everyday_country_name_goes_where_the_person_was_going(running_bot, clean_api):
    person = Person(clean_api)
    await person.start()
    await person.press_data(Route("country", ("0", "rights")).encode())
    screen = await person.say("Anh Quốc")
    assert "United Kingdom" in screen.text
    assert "Anh Quốc" not in screen.text
