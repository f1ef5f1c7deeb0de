from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Not a model permission: a role grant (core.roles) the back-office sidebar checks before it
# shows the link. Who may open the screen is decided by domain/access.py.
VIEW_SCREEN = "screen.view_screen"


class ScreenConfig(AppConfig):
    name = "sportsplatform.screen"
    label = "screen"
    verbose_name = _("Data screen")

    def ready(self):
        from sportsplatform.accounts.models import Role
        from sportsplatform.backoffice.navigation import NavItem, register_nav_group
        from sportsplatform.core.roles import grant

        grant(Role.PLATFORM_ADMIN, VIEW_SCREEN)
        grant(Role.BUREAU_OFFICIAL, VIEW_SCREEN)
        register_nav_group(
            "screen",
            order=15,
            title=_("Data screen"),
            items=[NavItem(_("Sports data screen"), "monitoring", "screen:index", VIEW_SCREEN)],
        )
