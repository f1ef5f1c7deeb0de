"""The public site's navigation registry.

An entry is shown only once its page is real: `visible_entries()` keeps the entries whose URL
name reverses, so a section appears in the header and on the home page the day its app adds the
URL name, and never as a placeholder link before. Apps whose URL name is not listed below can
add their own entry from `AppConfig.ready()` with `register(NavEntry(...))`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    icon: str  # id of a symbol in portal/includes/icons.html (without the "icon-" prefix)
    order: int
    description: str = ""  # one line for the section's card on the home page
    call_to_action: str = ""  # the home page's main button, for the first section that has one

    @property
    def namespace(self) -> str:
        return self.url_name.rpartition(":")[0]


@dataclass(frozen=True)
class VisibleEntry:
    entry: NavEntry
    url: str
    active: bool = False

    # Templates read these directly.
    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def icon(self) -> str:
        return self.entry.icon

    @property
    def description(self) -> str:
        return self.entry.description

    @property
    def call_to_action(self) -> str:
        return self.entry.call_to_action


HOME_KEY = "home"

# The URL names the public sections are expected to use (PRODUCT.md, part 1). Only those that
# reverse are shown.
ENTRIES: list[NavEntry] = [
    NavEntry(HOME_KEY, _("Home"), "portal:home", "home", 0),
    NavEntry(
        "venues",
        _("Venues"),
        "venues:list",
        "venue",
        10,
        _("Search venues by name, region and sport; see opening hours and how busy they are."),
        _("Find a venue"),
    ),
    NavEntry(
        "booking",
        _("Book a venue"),
        "booking:index",
        "calendar",
        20,
        _("Pick a court and a time slot, pay online and enter with an e-ticket."),
        _("Book a venue"),
    ),
    NavEntry(
        "facilities",
        _("Fitness facilities"),
        "facilities:list",
        "facility",
        30,
        _("Sports parks, fitness centres, trails and outdoor fitness paths near you."),
    ),
    NavEntry(
        "map",
        _("Fitness map"),
        "map:index",
        "map",
        40,
        _("Every venue and facility on one map, with directions from your phone."),
        _("Open the fitness map"),
    ),
    NavEntry(
        "fitness",
        _("Scientific fitness"),
        "fitness:index",
        "pulse",
        50,
        _("Exercise prescriptions, fitness test sites, instructors and workout videos."),
    ),
    NavEntry(
        "events",
        _("Events"),
        "events:list",
        "trophy",
        60,
        _("Browse competitions and activities, register and follow the results."),
        _("Browse events"),
    ),
    NavEntry(
        "training",
        _("Training"),
        "training:list",
        "whistle",
        70,
        _("Courses run by approved organisers, with certified coaches."),
    ),
    NavEntry(
        "services",
        _("Sichuan–Chongqing services"),
        "services:index",
        "handshake",
        80,
        _("Apply online for certificates, star ratings, acceptance and inspections."),
    ),
    NavEntry(
        "mall",
        _("Sports mall"),
        "mall:index",
        "bag",
        90,
        _("Sporting goods from partner shops at member prices."),
    ),
    NavEntry(
        "news",
        _("News"),
        "content:news_list",
        "news",
        100,
        _("Sports news, venue updates, event news and policy documents."),
    ),
]


def register(entry: NavEntry) -> None:
    """Add an entry, or replace the entry with the same key (an app knows its URL name best)."""
    ENTRIES[:] = [e for e in ENTRIES if e.key != entry.key]
    ENTRIES.append(entry)


def _reverse_or_none(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def visible_entries(*, current_view: str | None = None, entries: list[NavEntry] | None = None) -> list[VisibleEntry]:
    """The entries whose page exists, in order. `current_view` is the resolved view name of the
    request ("venues:detail"); the entry for that exact URL name is active, otherwise the first
    entry of the same namespace (so a venue's detail page still highlights "Venues")."""
    resolved = []
    for entry in sorted(entries if entries is not None else ENTRIES, key=lambda e: (e.order, e.key)):
        url = _reverse_or_none(entry.url_name)
        if url is not None:
            resolved.append((entry, url))

    active_key = None
    if current_view:
        exact = [e for e, _url in resolved if e.url_name == current_view]
        namespace = current_view.rpartition(":")[0]
        same_namespace = [e for e, _url in resolved if namespace and e.namespace == namespace and e.key != HOME_KEY]
        if exact:
            active_key = exact[0].key
        elif same_namespace:
            active_key = same_namespace[0].key
    return [VisibleEntry(entry=e, url=url, active=e.key == active_key) for e, url in resolved]


# Footer links to the platform's other faces, shown once their pages are served.
@dataclass(frozen=True)
class FooterLink:
    label: str
    url_name: str


@dataclass(frozen=True)
class ResolvedLink:
    label: str
    url: str


FOOTER_LINKS: list[FooterLink] = [
    FooterLink(_("API documentation"), "api-docs"),
    FooterLink(_("Management back office"), "admin:index"),
]


def footer_links() -> list[ResolvedLink]:
    resolved = ((link, _reverse_or_none(link.url_name)) for link in FOOTER_LINKS)
    return [ResolvedLink(label=link.label, url=url) for link, url in resolved if url is not None]


def section_entries() -> list[VisibleEntry]:
    """The sections other than the home page, for the home page's entry cards."""
    return [e for e in visible_entries() if e.key != HOME_KEY]


def featured_entry(sections: list[VisibleEntry]) -> VisibleEntry | None:
    """The section the home page's main button leads to: the first one with a call to action."""
    return next((e for e in sections if e.call_to_action), None)
