import re

import pytest

from sportsplatform.portal.queries import covered_regions

pytestmark = pytest.mark.django_db


def test_home_renders_in_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert "四川省数字体育场馆平台" in html
    assert "覆盖地区" in html
    assert "Regions covered" not in html
    assert "Skip to main content" not in html


def test_home_renders_in_english_after_set_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = client.get("/").content.decode()

    assert '<html lang="en"' in html
    assert "Sichuan Digital Sports Venue Platform" in html
    assert "Regions covered" in html
    assert "覆盖地区" not in html


def test_home_has_landmarks_and_skip_link(client):
    html = client.get("/").content.decode()

    assert 'href="#main"' in html
    assert '<main id="main"' in html
    for landmark in ("<header", "<nav", "<footer"):
        assert landmark in html


def test_language_switch_form_is_on_the_page(client):
    html = client.get("/?from=test").content.decode()

    assert 'action="/i18n/setlang/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="next" value="/?from=test"' in html
    assert 'name="language" value="en"' in html
    assert 'name="language" value="zh-hans"' in html
    assert ">中文<" in html
    assert ">EN<" in html


def test_regions_block_lists_current_prefectures_and_chongqing(client, some_regions):
    html = client.get("/").content.decode()

    assert "成都市" in html
    assert "凉山彝族自治州" in html
    assert "重庆市" in html
    assert "锦江区" not in html  # a county, not a prefecture
    assert "已撤销市" not in html  # abolished
    assert html.index("成都市") < html.index("凉山彝族自治州")


def test_regions_block_shows_english_names_in_english(client, some_regions):
    client.cookies["django_language"] = "en"

    html = client.get("/").content.decode()

    assert "Chengdu" in html
    assert "Liangshan" in html
    assert "Chongqing" in html


def test_home_renders_while_regions_table_is_empty(client, no_regions):
    response = client.get("/")

    assert response.status_code == 200
    assert 'class="region-list"' not in response.content.decode()


def test_covered_regions_is_one_query(some_regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        regions = covered_regions()

    assert [r.code for r in regions.sichuan] == ["510100", "513400"]
    assert regions.chongqing.name == "重庆市"


def test_messages_are_shown_in_a_status_region(client, settings):
    settings.ROOT_URLCONF = "tests.portal.urls_with_sections"

    html = client.get("/message/").content.decode()

    assert 'role="status"' in html
    assert 'class="notice notice-success"' in html
    assert 'class="notice notice-error"' in html
    assert "Something went wrong." in html


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|svg|noscript)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_chinese_home_page_shows_no_english(client, some_regions, settings, monkeypatch):
    # Every section present, so their labels and descriptions are checked too.
    settings.ROOT_URLCONF = "tests.portal.urls_with_sections"

    text = _visible_text(client.get("/").content.decode())

    words = set(re.findall(r"[A-Za-z]{2,}", text))
    assert words <= {"EN"}, words


def test_logged_out_header_links_to_login_with_next(client):
    html = client.get("/?q=1").content.decode()

    assert 'href="/accounts/login/?next=/%3Fq%3D1"' in html


def test_logged_in_header_has_account_link_and_logout_by_post(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="runner"))

    html = client.get("/").content.decode()

    assert 'href="/accounts/me/"' in html
    assert 'action="/accounts/logout/" method="post"' in html
    assert 'href="/accounts/login/' not in html


def test_footer_links_to_api_docs_and_back_office(client):
    html = client.get("/").content.decode()

    assert 'href="/admin/"' in html
    assert 'href="/api/docs/"' in html
