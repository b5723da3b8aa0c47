"""Your rights: the topics for the person's country, and the page screens they open.

Page text is English source from content/packs/*.toml, translated at display time through the
gettext catalog (bot/content/extract.py feeds it).  Every page names its sources and ends with
the way to a person now.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from bot.content import ContentLibrary, Page
from bot.content.library import BASE, RESTORATIVE
from bot.content.model import EU_MEMBERS, NOT_BOUND_BY_VICTIMS_DIRECTIVE
from bot.flows import nav
from bot.flows.deps import Deps, Flow
from bot.flows.routes import Route, route
from bot.flows.screen import Button, Screen
from bot.flows.state import State
from bot.geo.countries import country_name
from bot.i18n import Translator, translator

RIGHTS = Route("rights")
RJ = Route("rj")
TALK = Route("talk")
HELP = Route("help")
# Route names that open a page: the section decides where Back goes, so Back is deterministic.
RIGHTS_PAGE = "page"
RJ_PAGE = "rjpage"
REFLECT_START = Route("reflect", ("0", "-"))


def talk_button(t: Translator) -> Button:
    return Button(t.pgettext("button", "☎️ Talk to a person now"), TALK)


def need_a_person(t: Translator) -> str:
    return t.gettext(
        "Need a person now? Tap “Talk to a person now”. "
        "If you are in danger, call your local emergency number."
    )


def unavailable(t: Translator, title: str) -> Screen:
    """What a content screen shows when the packs could not be loaded."""
    return Screen(
        title=title,
        text="\n\n".join(
            (
                t.gettext("These pages cannot be shown right now. Please try again later."),
                need_a_person(t),
            )
        ),
        rows=((talk_button(t),), *nav.footer(t)),
    )


async def rights_menu(_route: Route, state: State, deps: Deps) -> Screen:
    t = translator(state.lang)
    title = t.gettext("Your rights")
    library = deps.content
    if library is None:
        return unavailable(t, title)
    country = state.country
    if library.pack_for(country) is not None and country:
        about = t.gettext(
            "Country: {country}. Where we know of nothing specific to this country, "
            "a page gives the wider rules and says so."
        ).format(country=country_name(country, state.lang))
    elif country:
        about = t.gettext(
            "Country: {country}. We have no pages for this country yet, so these pages "
            "give the international rules."
        ).format(country=country_name(country, state.lang))
    else:
        about = t.gettext(
            "These pages give the international rules. Choose your country to see its own rules."
        )
    topics = library.rights_topics(country)
    rows = [(Button(t.gettext(p.label), route(RIGHTS_PAGE, p.id)),) for p in topics]
    change = (
        t.pgettext("button", "🌍 Change country")
        if country
        else t.pgettext("button", "🌍 Choose your country")
    )
    rows.append((Button(change, route("country")),))
    rows.append((talk_button(t),))
    return Screen(
        title=title,
        text="\n\n".join((about, t.gettext("Choose a topic."), need_a_person(t))),
        rows=(*rows, *nav.footer(t)),
    )


async def page_screen(r: Route, state: State, deps: Deps) -> Screen:
    library = deps.content
    page = library.page(r.arg(0), state.country) if library is not None else None
    if library is None or page is None:
        return await rights_menu(RIGHTS, state, deps)
    return render_page(page, state, library, RIGHTS_PAGE)


def render_page(
    page: Page,
    state: State,
    library: ContentLibrary,
    section: str,
    back: Route | None = None,
    extra_rows: tuple[tuple[Button, ...], ...] = (),
) -> Screen:
    """A page: scope, body, sources, review date, the way to a person, links, footer.

    `section` is the route name links open with (RIGHTS_PAGE or RJ_PAGE), so a page reached
    from the restorative menu keeps going back there.
    """
    t = translator(state.lang)
    parts = []
    scope = _scope_line(t, page, state, library)
    if scope:
        parts.append(scope)
    parts.append(t.gettext(page.body))
    sources = [t.gettext("Sources:")]
    # Citations stay as officially titled (not translated), so a reader can find the text.
    for source in page.sources:
        sources.append(f"• {source.cite} — {source.url}" if source.url else f"• {source.cite}")
    parts.append("\n".join(sources))
    parts.append(t.gettext("Last reviewed: {date}").format(date=_long_date(page, state.lang)))
    parts.append(need_a_person(t))
    rows: list[tuple[Button, ...]] = list(extra_rows)
    for action in page.actions:
        if action == "help":
            rows.append((Button(t.pgettext("button", "📍 Find a service"), HELP),))
        elif action == "reflect":
            rows.append((Button(t.pgettext("button", "▶ Start the questions"), REFLECT_START),))
    for link in page.links:
        target = library.page(link, state.country)
        if target is not None:
            rows.append((Button(t.gettext(target.label), route(section, target.id)),))
    rows.append((talk_button(t),))
    if back is None:
        back = RJ if section == RJ_PAGE else RIGHTS
    return Screen(
        title=t.gettext(page.title),
        text="\n\n".join(parts),
        rows=(*rows, *nav.footer(t, back=back)),
    )


def _scope_line(t: Translator, page: Page, state: State, library: ContentLibrary) -> str | None:
    """Says whose rules a page gives, so a fallback page is never mistaken for local law."""
    country = state.country
    name = country_name(country, state.lang) if country else ""
    has_pack = library.pack_for(country) is not None
    if page.pack == RESTORATIVE:
        return _restorative_scope(t, page, country, name)
    if country and page.pack == country.lower():
        return t.gettext("📍 Country: {country}").format(country=name)
    if page.pack == BASE:
        if not country:
            return t.gettext("📍 International rules.")
        if has_pack:
            return t.gettext(
                "📍 International rules: we have no page on this topic just for your "
                "country ({country})."
            ).format(country=name)
        return t.gettext(
            "📍 International rules: we have no pages for your country ({country}) yet."
        ).format(country=name)
    return t.gettext(
        "📍 EU rules: we have no page on this topic just for your country ({country})."
    ).format(country=name)


def _restorative_scope(t: Translator, page: Page, country: str | None, name: str) -> str | None:
    """Restorative pages state EU law (the Victims' Rights Directive): say whom it binds."""
    if not any("2012/29" in source.cite for source in page.sources):
        return None
    if country in EU_MEMBERS and country not in NOT_BOUND_BY_VICTIMS_DIRECTIVE:
        return t.gettext("📍 EU rules. They bind your country ({country}).").format(country=name)
    if country in NOT_BOUND_BY_VICTIMS_DIRECTIVE:
        return t.gettext(
            "📍 EU rules. They do not bind your country ({country}), so read them as guidance."
        ).format(country=name)
    return t.gettext(
        "📍 EU rules, as guidance. Outside the EU, the Council of Europe Recommendation "
        "CM/Rec(2018)8, the UN Basic Principles and the UNODC handbook are guidance too."
    )


def _long_date(page: Page, lang: str) -> str:
    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        locale = Locale("en")
    return format_date(page.last_reviewed, format="long", locale=locale)


ROUTES: dict[str, Flow] = {
    "rights": rights_menu,
    RIGHTS_PAGE: page_screen,
}
