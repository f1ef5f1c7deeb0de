import pytest

from sportsplatform.portal import navigation
from sportsplatform.portal.navigation import NavEntry, visible_entries

HOME = NavEntry("home", "Home", "portal:home", "home", 0)
GHOST = NavEntry("ghost", "Ghost section", "ghost:list", "venue", 10)
VENUES = NavEntry("venues", "Venues", "venues:list", "venue", 10, "Find venues", "Find a venue")


def test_navigation_hides_entries_whose_url_name_does_not_resolve():
    entries = visible_entries(entries=[GHOST, HOME])

    assert [e.key for e in entries] == ["home"]
    assert entries[0].url == "/"


@pytest.mark.django_db
def test_home_page_leaves_out_unresolvable_sections(client, monkeypatch):
    monkeypatch.setattr(navigation, "ENTRIES", [HOME, GHOST])

    html = client.get("/").content.decode()

    assert "Ghost section" not in html


@pytest.mark.django_db
def test_section_appears_in_menu_and_home_cards_once_its_url_exists(client, settings, monkeypatch):
    settings.ROOT_URLCONF = "tests.portal.urls_with_sections"
    monkeypatch.setattr(navigation, "ENTRIES", [HOME, VENUES, GHOST])

    html = client.get("/").content.decode()

    assert html.count('href="/venues/"') >= 3  # menu, hero button, entry card
    assert "Find a venue" in html
    assert "Ghost section" not in html


def test_entry_of_the_current_namespace_is_active(settings):
    settings.ROOT_URLCONF = "tests.portal.urls_with_sections"

    entries = visible_entries(current_view="venues:detail", entries=[HOME, VENUES])

    assert {e.key: e.active for e in entries} == {"home": False, "venues": True}


def test_home_is_active_only_on_the_home_page(settings):
    settings.ROOT_URLCONF = "tests.portal.urls_with_sections"

    on_home = visible_entries(current_view="portal:home", entries=[HOME, VENUES])
    on_large_text = visible_entries(current_view="portal:large_text", entries=[HOME, VENUES])

    assert [e.key for e in on_home if e.active] == ["home"]
    assert [e.key for e in on_large_text if e.active] == []


@pytest.mark.django_db
def test_current_page_is_marked_in_the_menu(client):
    html = client.get("/").content.decode()

    assert 'href="/" aria-current="page"' in html


def test_register_replaces_an_entry_with_the_same_key(monkeypatch):
    monkeypatch.setattr(navigation, "ENTRIES", [HOME, GHOST])

    navigation.register(NavEntry("ghost", "Ghost", "portal:home", "venue", 5))

    assert [e.url_name for e in navigation.ENTRIES if e.key == "ghost"] == ["portal:home"]
