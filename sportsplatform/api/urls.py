"""/api/: the v1 API (each domain app contributes an `api_urls` module), the OpenAPI schema and
the offline docs (Swagger UI served from drf-spectacular-sidecar; ReDoc is left out because
drf-spectacular's ReDoc page loads Google Fonts, which a government network cannot reach)."""

from importlib import import_module
from importlib.util import find_spec

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

# Apps that expose endpoints under /api/v1/. An app adds itself here with its api_urls module.
V1_APPS = [
    "regions",
    "accounts",
    "venues",
    "facilities",
    "maps",
    "booking",
    "orders",
    "payments",
    "wallet",
    "coupons",
    "notifications",
    "telemetry",
    "screen",
    "events",
    "training",
]


def _v1_patterns():
    patterns = [path("health", views.health, name="health")]
    for app in V1_APPS:
        module = f"sportsplatform.{app}.api_urls"
        if find_spec(module) is not None:
            patterns += import_module(module).urlpatterns
    return patterns


urlpatterns = [
    path("v1/", include((_v1_patterns(), "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
