"""How one service reads in the person's language: its name, how and when to reach it, who
answers in which language, and how fresh the facts are.

Names stay as the service writes itself (or its `name_<ll>`); everything around them is the
bot's own words, translated: "Emergency", "open 24 hours", day names and times from CLDR,
language names from CLDR. Free-text hours that do not follow the simple pattern are shown as
written, as a last resort.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from babel import Locale
from babel.dates import format_date, format_time, get_day_names

from bot.directory import Service
from bot.directory.phones import international
from bot.directory.schema import HOURS_DAYS, HOURS_SPAN, is_structured_hours
from bot.i18n import Translator

# Facts checked longer ago than this may be out of date: the person is told so.
MAY_HAVE_CHANGED_AFTER = timedelta(days=730)


def speaks_reader_first(services: list[Service], lang: str) -> list[Service]:
    """Lines that speak the reader's language first, the rest in their order."""
    base = lang.split("-")[0].lower()
    return sorted(services, key=lambda s: base not in s.languages)


def emergency_line(t: Translator, s: Service) -> str:
    """ "🚨 Emergency: 112", or "🚨 Port Moresby: +675 180 0100" for a city's own number (the
    national one does not reach it yet); "" when the row has no phone."""
    number = international(s.phone, s.country) if s.phone else ""
    if not number:
        return ""
    if not s.national and s.city:
        return t.gettext("🚨 {city}: {number}").format(city=s.city, number=number)
    return t.gettext("🚨 Emergency: {number}").format(number=number)


def contact_card(t: Translator, lang: str, s: Service, today: date | None = None) -> str:
    """A line for "Talk to a person now", all in the reader's language but the name."""
    locale = _locale(lang)
    if "emergency" in s.categories and not s.names.get(lang):
        return emergency_line(t, s)
    contact = contact_line(t, s)
    if not (contact or s.website):
        return ""
    lines = [t.gettext("• {name}").format(name=s.name_in(lang))]
    if contact:
        lines.append(contact)
    if s.website:
        lines.append(t.gettext("🌐 {website}").format(website=s.website))
    hours = hours_text(t, locale, s.hours)
    if hours:
        lines.append(t.gettext("🕒 {hours}").format(hours=hours))
    if s.languages:
        names = ", ".join(locale.languages.get(code, code) for code in s.languages)
        lines.append(t.gettext("🗣 speaks: {languages}").format(languages=names))
    who = eligibility_line(t, lang, s.eligibility)
    if who:
        lines.append(who)
    lines.append(freshness(t, locale, s.last_verified, today))
    return "\n".join(lines)


def eligibility_line(t: Translator, lang: str, eligibility: str) -> str:
    """"👥 for: women, children" in the reader's language; "" when there is nothing to show.

    The groups are those of ELIGIBILITY_GROUPS (bot/directory/schema.py), each translated here.
    """
    words = {
        "women": t.pgettext("eligibility", "women"),
        "men": t.pgettext("eligibility", "men"),
        "children": t.pgettext("eligibility", "children"),
        "migrants": t.pgettext("eligibility", "migrants"),
        "migrant women": t.pgettext("eligibility", "migrant women"),
        "migrant workers": t.pgettext("eligibility", "migrant workers"),
        "domestic workers": t.pgettext("eligibility", "domestic workers"),
        "migrant domestic workers": t.pgettext("eligibility", "migrant domestic workers"),
        "employers": t.pgettext("eligibility", "employers"),
        "families": t.pgettext("eligibility", "families"),
    }
    english = lang.split("-")[0].lower() == "en"
    groups: list[str] = []
    for group in (g.strip() for g in eligibility.split("|")):
        if group.lower() in words:
            groups.append(words[group.lower()])
        elif group and english:
            groups.append(group)
    if not groups:
        return ""
    return t.gettext("👥 for: {groups}").format(groups=", ".join(groups))


def contact_line(t: Translator, s: Service) -> str:
    parts = []
    if s.phone:
        parts.append(t.gettext("☎ {number}").format(number=international(s.phone, s.country)))
    if s.sms:
        parts.append(t.gettext("SMS {number}").format(number=international(s.sms, s.country)))
    if s.whatsapp:
        parts.append(
            t.gettext("WhatsApp {number}").format(number=international(s.whatsapp, s.country))
        )
    return " · ".join(parts)


def hours_text(t: Translator, locale: Locale, hours: str) -> str:
    """Structured hours in the reader's words; free text as written, to English readers only
    (no other reader meets an untranslated phrase)."""
    text = hours.strip()
    if not text:
        return ""
    if not is_structured_hours(text):
        return text if locale.language == "en" else ""
    if text.replace(" ", "").lower() in ("24/7", "24h", "24/7/365"):
        return t.gettext("open 24 hours, every day")
    matches = (HOURS_SPAN.fullmatch(part.strip()) for part in text.split(";") if part.strip())
    return "; ".join(_span(locale, match) for match in matches if match)


def _span(locale: Locale, match: re.Match[str]) -> str:
    names = get_day_names("abbreviated", locale=locale)
    first = HOURS_DAYS.index(match["first"].lower())
    days = names[first]
    if match["last"]:
        days = f"{days}–{names[HOURS_DAYS.index(match['last'].lower())]}"
    opens, closes = (_time(match[k], locale) for k in ("open", "close"))
    return f"{days} {opens}–{closes}"


def _time(text: str, locale: Locale) -> str:
    hour, minute = (int(x) for x in text.split(":"))
    if hour == 24:
        hour, minute = 23, 59
    return format_time(time(hour % 24, minute), format="short", locale=locale)


def freshness(t: Translator, locale: Locale, verified: date, today: date | None = None) -> str:
    """"verified <date>", and a warning when that was over two years ago."""
    line = t.gettext("verified {date}").format(
        date=format_date(verified, format="medium", locale=locale)
    )
    if (today or date.today()) - verified > MAY_HAVE_CHANGED_AFTER:
        line += "\n" + t.gettext("⚠ Checked over two years ago: this number may have changed.")
    return line


def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, TypeError):
        return Locale("en")
