from pathlib import Path

import pytest

from bot.config import DEFAULT_API, ConfigError, load


def test_defaults_follow_the_design_contract():
    config = load({})
    assert config.token is None
    assert config.api_base_url == DEFAULT_API
    assert config.resources_csv == Path("resources.csv")
    assert config.data_dir == Path("data")
    assert config.port == 8080
    assert config.bot_base_url == "https://api.telegram.org/bot"


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"WEBHOOK_URL": "nowhere"}, "WEBHOOK_URL"),
        ({"WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET"),
        ({"BOT_SECRET_KEY": "short"}, "BOT_SECRET_KEY"),
        ({"GEOCODER": "google"}, "GEOCODER"),
        ({"GEOCODER": "nominatim"}, "GEOCODER_USER_AGENT"),
        ({"GEOCODER": "nominatim", "GEOCODER_USER_AGENT": "a\nb"}, "GEOCODER_USER_AGENT"),
        ({"GEOCODER": "nominatim", "GEOCODER_USER_AGENT": "café"}, "GEOCODER_USER_AGENT"),
        ({"GEOCODER_DOMAIN": "https://nominatim.example.org/"}, "GEOCODER_DOMAIN"),
        ({"GEOCODER_DOMAIN": "example.org:99999"}, "GEOCODER_DOMAIN"),
        ({"GEOCODER_SCHEME": "ftp"}, "GEOCODER_SCHEME"),
    ],
)
def test_a_malformed_value_gets_one_sentence_naming_it(env, words):
    with pytest.raises(ConfigError) as caught:
        load(env)
    message = str(caught.value)
    assert words in message
    assert "\n" not in message


def test_a_trailing_slash_on_the_api_url_is_harmless():
    config = load({"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/"})
    assert config.bot_base_url == "http://127.0.0.1:8081/bot"


def test_places_stay_offline_unless_an_online_geocoder_is_chosen():
    config = load({})
    assert config.geocoder == "offline"
    assert config.geocoder_domain == "nominatim.openstreetmap.org"
    assert config.geocoder_scheme == "https"


def test_nominatim_with_a_user_agent_and_a_self_hosted_server():
    config = load(
        {
            "GEOCODER": "Nominatim",
            "GEOCODER_USER_AGENT": "waypoint (ops@example.org)",
            "GEOCODER_DOMAIN": "127.0.0.1:8088",
            "GEOCODER_SCHEME": "http",
        }
    )
    assert config.geocoder == "nominatim"
    assert config.geocoder_user_agent == "waypoint (ops@example.org)"
    assert (config.geocoder_domain, config.geocoder_scheme) == ("127.0.0.1:8088", "http")
