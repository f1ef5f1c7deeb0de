from django.urls import path
from django.utils.translation import gettext_lazy as _

from sportsplatform.portal.navigation import NavEntry, register

from . import views

app_name = "venues"
urlpatterns = [
    path("", views.venue_list, name="list"),
    path("open/", views.venue_opening, name="opening"),
    path("<int:pk>/", views.venue_detail, name="detail"),
    path("documents/<int:pk>/", views.public_document, name="document"),
]

# 场馆开放 is a section of its own in the public menu (PRODUCT.md 1.2); "Venues" (venues:list) is
# already in portal.navigation's list.
register(
    NavEntry(
        "venue_opening",
        _("Venue opening"),
        "venues:opening",
        "building",
        15,
        _("Which venues are open now, their hours today and their star ratings."),
    )
)
