"""Who may watch the data screen, and which regions it may show them.

The screen is for the sports bureaus and the platform's administrators: it shows whole regions
(visitors, bookings and revenue of every venue there), which is the bureaus' view. Venue operators
are refused (403): their own venue's figures are in the back office, and a screen of "their
region" would show the competitors next door.

Which regions a user may choose comes from core.scoping (`scope_for` for the role, `regions_for`
for the regions), never from a filter of its own: a Chengdu official may open Chengdu and its
counties, the province's officials and the platform admins all of Sichuan. A region outside the
scope answers exactly like a region that does not exist (NotFound), as everywhere else.

The screen covers Sichuan (510000) only: its boundaries are Sichuan's, and Chongqing's platform
has its own screen (see docs/screen.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sportsplatform.accounts.models import Role
from sportsplatform.core.errors import NotFound, NotPermitted
from sportsplatform.core.scoping import regions_for, scope_for
from sportsplatform.regions.models import Region, RegionLevel

PROVINCE_CODE = "510000"
PROVINCE_PREFIX = PROVINCE_CODE[:2]

NOT_FOR_YOU = _("The data screen is for sports bureau officials and platform administrators.")
NO_SUCH_REGION = _("No region with this code on the data screen.")


def may_use_screen(user) -> bool:
    scope = scope_for(user)
    if scope.everything:
        return True
    return Role.BUREAU_OFFICIAL in scope.roles and any(p.startswith(PROVINCE_PREFIX) for p in scope.region_prefixes)


def require_screen_user(user) -> None:
    if not may_use_screen(user):
        raise NotPermitted(NOT_FOR_YOU)


def screen_regions(user):
    """The Sichuan divisions the user may put on the screen (a queryset of Region)."""
    return regions_for(user, Region.objects.filter(code__startswith=PROVINCE_PREFIX))


def home_regions(user) -> list[Region]:
    """The top regions of the user's scope (usually one): where the screen opens, and the roots of
    the region selector. The province for platform admins and provincial officials."""
    require_screen_user(user)
    allowed = list(screen_regions(user).filter(valid_to__isnull=True).order_by("code"))
    codes = {r.code for r in allowed}
    roots = [r for r in allowed if r.parent_id not in codes]
    if not roots:
        raise NotPermitted(NOT_FOR_YOU)
    return roots


def resolve_region(user, code: str | None) -> Region:
    """The region `code` if the user may see it on the screen; the user's home region when no code
    is given. Out of scope answers like missing (NotFound)."""
    require_screen_user(user)
    if not code:
        return home_regions(user)[0]
    region = screen_regions(user).filter(pk=code).first()
    if region is None:
        raise NotFound(NO_SUCH_REGION)
    return region


def screen_breadcrumb(user, region: Region) -> list[dict]:
    """The regions above `region` that the user may open on the screen, top down (for the "back"
    button and the breadcrumb): a Chengdu official on 武侯区 gets 成都市, never 四川省."""
    above = []
    if region.level != RegionLevel.PROVINCE:
        above.append(PROVINCE_CODE)
    if region.level == RegionLevel.COUNTY:
        above.append(region.code[:4] + "00")
    if not above:
        return []
    allowed = screen_regions(user).filter(pk__in=above).order_by("code")
    return [{"code": r.code, "name": r.name, "level": r.level} for r in allowed]
