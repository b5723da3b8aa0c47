"""The main menu and the screens every chat can reach: help, language, privacy."""

from __future__ import annotations

from dataclasses import replace

from bot.flows import nav
from bot.flows.deps import Deps
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen
from bot.flows.state import Expect, State
from bot.i18n import Translator, language_name, shipped_languages, translator


async def emergency_line(state: State, deps: Deps) -> str:
    t = translator(state.lang)
    service = None
    if state.country and deps.directory is not None:
        service = await deps.directory.emergency(state.country, state.point)
    if service is not None and service.phone:
        number = service.phone
        if not service.national and service.city:
            number = f"{number} ({service.city})"  # a city's own number: say whose
        return t.gettext("🆘 In danger now? Call {number}.").format(number=number)
    return t.gettext(
        "🆘 In danger now? Call your local emergency number. "
        "Choose your country and I will show it here."
    )


async def main_menu(_route: Route, state: State, deps: Deps) -> Screen:
    from bot.flows.router import available

    t = translator(state.lang)
    text = "\n\n".join(
        (
            t.gettext(
                "You are welcome here. I am an automated guide, not a person. "
                "I can explain your rights and your choices, and find help near you."
            ),
            t.gettext("You do not have to tell me anything. Tap a button."),
            await emergency_line(state, deps),
        )
    )
    entries = [
        ("rights", t.pgettext("menu", "⚖️ Your rights")),
        ("rj", t.pgettext("menu", "🤝 Restorative options")),
        ("help", t.pgettext("menu", "📍 Find help near you")),
        ("talk", t.pgettext("menu", "☎️ Talk to a person now")),
        ("lang", t.pgettext("menu", "🌐 Language")),
        ("privacy", t.pgettext("menu", "🔒 Privacy")),
    ]
    shown = [Button(label, route(name)) for name, label in entries if available(name)]
    rows = tuple(tuple(shown[i : i + 2]) for i in range(0, len(shown), 2))
    rows += ((_country_button(t, state),),)
    rows += ((Button(t.pgettext("button", "✖ Quick exit"), nav.EXIT),),)
    return Screen(
        title=t.gettext("Waypoint"),
        text=text,
        rows=rows,
        state=state.expecting(Expect.NOTHING),
    )


# Telegram shows about this many characters of a full-width button on a phone.
MAX_LABEL = 40


def _country_button(t: Translator, state: State) -> Button:
    """The country decides rights, emergency number and helplines: one tap to see or change."""
    from bot.geo.countries import country_name

    if state.country:
        name = country_name(state.country, state.lang)
        label = t.pgettext("button", "📍 Country: {country} · change").format(country=name)
        if len(label) > MAX_LABEL:  # "Statele Unite ale Americii": the name is what matters
            label = f"📍 {name}" if len(name) + 2 <= MAX_LABEL else f"📍 {name[:MAX_LABEL - 3]}…"
    else:
        label = t.pgettext("button", "📍 Choose your country")
    return Button(label, route("country", "0", "menu"))


async def help_screen(_route: Route, state: State, _deps: Deps) -> Screen:
    t = translator(state.lang)
    text = "\n\n".join(
        (
            t.gettext("Tap the buttons to move around. Every screen has a way back and a way out."),
            t.gettext(
                "Quick exit (the ✖ button, /exit, or the word “exit”) deletes this chat's "
                "messages and leaves one harmless line."
            ),
            t.gettext("Commands: /start main menu · /exit quick exit · /privacy · /language"),
        )
    )
    return Screen(title=t.gettext("How this works"), text=text, rows=nav.footer(t))


async def language_picker(_route: Route, state: State, _deps: Deps) -> Screen:
    t = translator(state.lang)
    buttons = [
        Button(("✓ " if lang == state.lang else "") + language_name(lang), route("setlang", lang))
        for lang in shipped_languages()
    ]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Screen(
        title=t.gettext("Language"),
        text=t.gettext("Choose your language."),
        rows=rows + nav.footer(t),
    )


async def set_language(r: Route, state: State, deps: Deps) -> Screen:
    lang = r.arg(0)
    if lang not in shipped_languages():
        return await main_menu(r, state, deps)
    new_state = state.with_lang(lang)
    screen = await main_menu(r, new_state, deps)
    return screen.with_state(screen.state or new_state)


async def privacy_page(_route: Route, state: State, deps: Deps) -> Screen:
    from bot.flows.find_help import online_notice

    t = translator(state.lang)
    text = "\n\n".join(
        (
            t.gettext(
                "What I keep: your language and country, so I can answer in your language. "
                "They are stored under a one-way code, not your name or number, and deleted "
                "after 30 days without use."
            ),
            t.gettext(
                "What I never write down: what you type, your name, your username, your phone "
                "number or your location. A place you share or type stays in memory for 15 "
                "minutes, for “more results” and the filters, then it is dropped; quick exit "
                "drops it at once."
            ),
            *online_notice(t, deps),
            t.gettext(
                "Telegram keeps its own copy of this chat. I can delete messages only for 48 "
                "hours. To remove the chat from your phone: press and hold the chat in your chat "
                "list (or open the menu ⋮ in the chat), then choose “Delete chat”."
            ),
            t.gettext(
                "Quick exit (✖, /exit or the word “exit”) deletes the messages of this chat that "
                "I can still delete, yours and mine, and forgets your language and country."
            ),
        )
    )
    if state.auto_wipe:
        wipe_note = t.gettext(
            "Auto-wipe is on: after 30 minutes without a message, I delete this chat. "
            "A restart of the service cancels it."
        )
        wipe_button = Button(t.pgettext("button", "⏱ Auto-wipe off"), route("autowipe", "off"))
    else:
        wipe_note = t.gettext(
            "You can ask me to wipe this chat by myself after 30 minutes without a message. "
            "I remember this only while the service runs: a restart cancels it."
        )
        wipe_button = Button(t.pgettext("button", "⏱ Auto-wipe on"), route("autowipe", "on"))
    rows = (
        (wipe_button,),
        (Button(t.pgettext("button", "🧹 Forget me now"), route("forget")),),
        *nav.footer(t),
    )
    return Screen(title=t.gettext("Privacy"), text=f"{text}\n\n{wipe_note}", rows=rows)


async def set_auto_wipe(r: Route, state: State, deps: Deps) -> Screen:
    new_state = replace(state, auto_wipe=r.arg(0) == "on")
    screen = await privacy_page(r, new_state, deps)
    return screen.with_state(new_state)


async def forgotten(_route: Route, state: State, _deps: Deps) -> Screen:
    t = translator(state.lang)
    return Screen(
        text=t.gettext("Done. I have forgotten your language and country."),
        rows=nav.footer(t),
        state=State(lang=state.lang),
    )


async def not_understood(_route: Route, state: State, deps: Deps) -> Screen:
    """Anything the bot cannot read (a sticker, a photo, free text outside a question)."""
    t = translator(state.lang)
    menu = await main_menu(_route, state, deps)
    note = t.gettext("I can only follow the buttons below. Nothing you sent was kept.")
    return Screen(title=menu.title, text=f"{note}\n\n{menu.text}", rows=menu.rows, state=menu.state)
