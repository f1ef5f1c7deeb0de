from django.conf import settings
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.views.static import serve


def favicon(request):
    # Resolved per request, not at import: the hashed name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static_url("img/logo.svg"))


urlpatterns = [
    # Browsers and the admin ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include("sportsplatform.backoffice.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("sportsplatform.api.urls")),
    path("accounts/", include("sportsplatform.accounts.urls")),
    path("venues/", include("sportsplatform.venues.urls")),
    path("facilities/", include("sportsplatform.facilities.urls")),
    path("map/", include("sportsplatform.maps.urls")),
    path("booking/", include("sportsplatform.booking.urls")),
    path("orders/", include("sportsplatform.orders.urls")),
    path("payments/", include("sportsplatform.payments.urls")),
    path("card/", include("sportsplatform.wallet.urls")),
    path("coupons/", include("sportsplatform.coupons.urls")),
    path("messages/", include("sportsplatform.notifications.urls")),
    path("live/", include("sportsplatform.telemetry.urls")),
    path("screen/", include("sportsplatform.screen.urls")),
    path("events/", include("sportsplatform.events.urls")),
    path("courses/", include("sportsplatform.training.urls")),
    path("", include("sportsplatform.portal.urls")),
]
if settings.DEBUG:
    # Development only (production serves media from the reverse proxy with the same rule):
    # photos are public files; venue documents and everything under private/ (event applications,
    # course videos, certificate scans) never are: they go through views that check who asks.
    urlpatterns += [
        re_path(
            r"^media/(?!venues/\d+/documents/|private/)(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
        ),
    ]

handler400 = "sportsplatform.core.error_views.bad_request"
handler403 = "sportsplatform.core.error_views.permission_denied"
handler404 = "sportsplatform.core.error_views.page_not_found"
handler500 = "sportsplatform.core.error_views.server_error"
