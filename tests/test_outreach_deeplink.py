import pytest

import bot.flows.deeplink as deeplink
from bot.flows.deeplink import state_from_payload
from bot.flows.routes import route
from bot.flows.state import State
from bot.outreach.payload import encode


@pytest.fixture
def shipped_es(monkeypatch):
    monkeypatch.setattr(deeplink, "shipped_languages", lambda: ("en", "es"))


@pytest.mark.parametrize(
    ("topic", "expected"),
    [("rights", route("rights")), ("restorative", route("rj")), ("help", route("talk"))],
)
def test_topic_opens_its_screen_in_the_links_language_and_country(shipped_es, topic, expected):
    state, opened = state_from_payload(encode("es", "DE", topic), State())
    assert opened == expected
    assert state.lang == "es"
    assert state.lang_chosen
    assert state.country == "DE"


def test_link_without_topic_presets_language_and_country_and_opens_menu(shipped_es):
    state, opened = state_from_payload(encode("es", "MX", None), State())
    assert opened == route("menu")
    assert (state.lang, state.country) == ("es", "MX")


def test_language_not_shipped_yet_leaves_the_chats_language_alone(shipped_es):
    before = State(lang="en", lang_chosen=True)
    state, opened = state_from_payload(encode("th", "TH", "help"), before)
    assert opened == route("talk")
    assert state.lang == "en"
    assert state.country == "TH"


def test_link_without_country_keeps_the_chats_country(shipped_es):
    state, _ = state_from_payload(encode("es", None, "rights"), State(country="ES"))
    assert state.country == "ES"


@pytest.mark.parametrize("payload", [None, "", "garbage", "v9-es-DE-1", "v1-es-DE-7", "ref123"])
def test_garbled_payload_opens_menu_and_changes_nothing(shipped_es, payload):
    before = State(lang="en", country="GB")
    assert state_from_payload(payload, before) == (before, route("menu"))


def test_real_shipped_languages_include_english():
    state, _ = state_from_payload(encode("en", "US", None), State(lang="es"))
    assert state.lang == "en"
