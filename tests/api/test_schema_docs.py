"""The API's published description (API.md: "OpenAPI 3 at GET /api/schema/, browsable docs at
/api/docs/ (works offline)"). The browser test tests/browser/test_api_docs.py renders the docs in
Chromium with every other host unreachable."""

from __future__ import annotations

import contextlib
import json
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

EXTERNAL_URL = re.compile(r"""(?:https?:)?//(?!testserver\b|localhost\b|127\.0\.0\.1\b)[\w.-]+\.[a-z]{2,}""", re.I)


class _Assets(HTMLParser):
    """src= and href= of the elements that make the browser fetch something."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "img", "iframe"} and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_schema_is_valid_openapi_3(client, db):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # the OpenAPI 3.x JSON Schema shipped with drf-spectacular
    assert any(path.startswith("/api/v1/") for path in schema["paths"])


def test_schema_generates_without_warnings(db):
    # A warning means drf-spectacular had to guess (an untyped field, two components with one
    # name, an unknown authenticator): the published schema, and every client generated from it,
    # would be wrong there. `manage.py spectacular --validate --fail-on-warn` shows the same.
    GENERATOR_STATS.reset()
    with contextlib.redirect_stderr(StringIO()):
        SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._error_cache, *GENERATOR_STATS._warn_cache]
    GENERATOR_STATS.reset()
    assert not problems, "drf-spectacular warnings in the API schema:\n" + "\n".join(problems)


@pytest.mark.parametrize("url", ["/api/docs/"])
def test_docs_load_nothing_from_other_hosts(client, db, url):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    parser = _Assets()
    parser.feed(html)
    assert parser.urls, f"{url} references no scripts or styles; the check below would prove nothing"
    external = sorted(set(EXTERNAL_URL.findall(html)))
    assert not external, f"{url} refers to other hosts (the docs must work in a closed network): {external}"
    for asset in parser.urls:
        assert asset.startswith(settings.STATIC_URL), f"{url} loads {asset}, which is not one of our static files"
        path = asset.removeprefix(settings.STATIC_URL).split("?")[0]
        assert finders.find(path), f"{url} needs the static file {path}, which no static directory holds"
