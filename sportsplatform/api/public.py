"""Base view for public register data (regions, venues, facilities, the map): the same answer
for everyone, so no authentication (a stale token must not turn a public read into a 401),
`Cache-Control: public` for browsers and proxies, and the rendered answer kept in the cache
(Redis in production) for `cache_seconds`, keyed by path, query and language.

The server-side copy matters at provincial scale: the map and the search are asked the same
questions by many people (a whole-province view, "羽毛球 in 武侯区"), and a cached answer costs a
cache read instead of the queries and serialisation. Throttling still applies to cached answers:
the lookup runs after DRF's checks."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

CACHE_PREFIX = "api:public:v1:"


class _CachedAnswer(Exception):
    def __init__(self, response: HttpResponse):
        self.response = response


def public_cache_key(request) -> str:
    raw = f"{get_language()}|{request.get_full_path()}"
    return CACHE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


class PublicReadView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    cache_seconds = 60

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # content negotiation, permissions, throttles
        if request.method == "GET" and self.cache_seconds and settings.PUBLIC_API_CACHE:
            hit = cache.get(public_cache_key(request))
            if hit is not None:
                body, content_type = hit
                answer = HttpResponse(body, content_type=content_type)
                answer._from_public_cache = True
                raise _CachedAnswer(answer)

    def handle_exception(self, exc):
        if isinstance(exc, _CachedAnswer):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200 and self.cache_seconds:
            patch_cache_control(response, public=True, max_age=self.cache_seconds)
            keep = request.method == "GET" and settings.PUBLIC_API_CACHE
            if keep and not getattr(response, "_from_public_cache", False):
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                cache.set(public_cache_key(request), (response.content, response["Content-Type"]), self.cache_seconds)
        return response
