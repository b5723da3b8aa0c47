"""Configuration from the environment (the contract in DESIGN.md).

A missing or malformed value raises ConfigError with one plain sentence; `python -m bot`
prints it and exits non-zero instead of showing a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from bot.privacy import MAKE_KEY, MIN_KEY_BITS, key_bits

DEFAULT_API = "https://api.telegram.org"
# geopy's default Nominatim host: OpenStreetMap's public server, a third party.
NOMINATIM_DOMAIN = "nominatim.openstreetmap.org"
GEOCODERS = ("offline", "nominatim")
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
# A host name, an IPv4 address or a bracketed IPv6 one, with an optional port; no path.
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$"
)


class ConfigError(Exception):
    """A configuration problem, described in one sentence a person can act on."""


@dataclass(frozen=True)
class Config:
    token: str | None
    api_base_url: str
    resources_csv: Path
    data_dir: Path
    secret_key: str | None
    webhook_url: str | None
    webhook_secret: str | None
    port: int
    listen: str
    exit_message: str | None  # None: the default neutral line; "" : leave nothing
    log_level: str = "INFO"
    max_send_rate: float = 30.0  # messages per second, Telegram's documented overall limit
    # Where typed place names are looked up: "offline" (this machine) or "nominatim".
    geocoder: str = "offline"
    geocoder_user_agent: str | None = None
    geocoder_domain: str = NOMINATIM_DOMAIN
    geocoder_scheme: str = "https"
    near_km: float = 150.0

    @property
    def bot_base_url(self) -> str:
        """What python-telegram-bot's base_url wants: it appends `<token>/<method>`."""
        return f"{self.api_base_url}/bot"


def _url(name: str, value: str, *, https_only: bool = False) -> str:
    parsed = urlparse(value)
    schemes = ("https",) if https_only else ("http", "https")
    if parsed.scheme not in schemes or not parsed.netloc:
        wanted = "an https:// URL" if https_only else "an http:// or https:// URL"
        raise ConfigError(f"{name} must be {wanted}, like https://example.org.")
    return value.rstrip("/")


@dataclass(frozen=True)
class _Geocoding:
    kind: str
    user_agent: str | None
    domain: str
    scheme: str


def _geocoding(env: Mapping[str, str]) -> _Geocoding:
    kind = (env.get("GEOCODER", "").strip() or "offline").lower()
    if kind not in GEOCODERS:
        raise ConfigError("GEOCODER must be offline (the default) or nominatim.")
    agent = env.get("GEOCODER_USER_AGENT", "").strip() or None
    if agent is not None and not (agent.isascii() and agent.isprintable()):
        # It becomes an HTTP header, which holds ASCII only.
        raise ConfigError("GEOCODER_USER_AGENT must be one line of plain ASCII text.")
    if kind == "nominatim" and agent is None:
        raise ConfigError(
            "GEOCODER=nominatim needs GEOCODER_USER_AGENT: an app name and a contact, "
            "as Nominatim's usage policy asks."
        )
    domain = env.get("GEOCODER_DOMAIN", "").strip() or NOMINATIM_DOMAIN
    host = _HOST.match(domain)
    if host is None or (host.group(1) is not None and not 0 < int(host.group(1)) < 65536):
        raise ConfigError(
            "GEOCODER_DOMAIN must be a host with an optional port, like nominatim.example.org "
            "or 127.0.0.1:8080."
        )
    scheme = (env.get("GEOCODER_SCHEME", "").strip() or "https").lower()
    if scheme not in ("https", "http"):
        raise ConfigError("GEOCODER_SCHEME must be https (the default) or http.")
    return _Geocoding(kind, agent, domain, scheme)


def load(env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not _TOKEN.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token from @BotFather "
            "(digits, a colon, then letters)."
        )
    api = _url("TELEGRAM_API_BASE_URL", env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API)

    port_text = env.get("PORT", "").strip() or "8080"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError("PORT must be a number between 1 and 65535.")

    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    if webhook_url is not None:
        webhook_url = _url("WEBHOOK_URL", webhook_url)
    webhook_secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if webhook_secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret):
        raise ConfigError(
            "WEBHOOK_SECRET may hold only letters, digits, _ and - (1 to 256 of them)."
        )

    secret_key = env.get("BOT_SECRET_KEY", "").strip() or None
    if secret_key is not None and key_bits(secret_key) < MIN_KEY_BITS:
        raise ConfigError(
            f"BOT_SECRET_KEY is too easy to guess (under {MIN_KEY_BITS} bits); "
            f"make one with: {MAKE_KEY}"
        )

    exit_message = env.get("EXIT_MESSAGE")
    log_level = (env.get("LOG_LEVEL", "").strip() or "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("LOG_LEVEL must be one of DEBUG, INFO, WARNING or ERROR.")
    rate_text = env.get("MAX_SEND_RATE", "").strip() or "30"
    try:
        max_send_rate = float(rate_text)
    except ValueError:
        max_send_rate = 0.0
    if not 0 < max_send_rate <= 100_000:
        raise ConfigError("MAX_SEND_RATE must be a number of messages per second above 0.")
    geocoding = _geocoding(env)
    near_text = env.get("NEARBY_KM", "").strip() or "150"
    try:
        near_km = float(near_text)
    except ValueError:
        near_km = 0.0
    if not 1 <= near_km <= 2000:
        raise ConfigError("NEARBY_KM must be a distance in kilometres from 1 to 2000.")
    return Config(
        near_km=near_km,
        token=token,
        api_base_url=api,
        resources_csv=Path(env.get("RESOURCES_CSV", "").strip() or "resources.csv"),
        data_dir=Path(env.get("BOT_DATA_DIR", "").strip() or "data"),
        secret_key=secret_key,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        port=int(port_text),
        listen=env.get("LISTEN", "").strip() or "0.0.0.0",
        exit_message=exit_message,
        log_level=log_level,
        max_send_rate=max_send_rate,
        geocoder=geocoding.kind,
        geocoder_user_agent=geocoding.user_agent,
        geocoder_domain=geocoding.domain,
        geocoder_scheme=geocoding.scheme,
    )
