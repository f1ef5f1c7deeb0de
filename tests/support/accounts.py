"""People the journeys and budgets log in as: a public user, venue operator staff, and sports
bureau officials at county, city and province level. Built through the accounts domain
functions, the way the back office creates them, so the roles and scopes are the real ones."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import OrganisationKind, User
from sportsplatform.accounts.security import AUTH_METHOD_KEY, LAST_ACTIVITY_KEY, METHOD_PASSWORD, METHOD_SMS
from sportsplatform.regions.models import Region, RegionLevel

STAFF_PASSWORD = "Sp0rts!Harness"

# A slice of GB/T 2260 large enough for region-scoped pages: Sichuan, two cities, three counties.
REGIONS = [
    ("510000", "四川省", RegionLevel.PROVINCE, None),
    ("510100", "成都市", RegionLevel.PREFECTURE, "510000"),
    ("510104", "锦江区", RegionLevel.COUNTY, "510100"),
    ("510107", "武侯区", RegionLevel.COUNTY, "510100"),
    ("510700", "绵阳市", RegionLevel.PREFECTURE, "510000"),
    ("510703", "涪城区", RegionLevel.COUNTY, "510700"),
]


def ensure_regions() -> dict[str, Region]:
    """The REGIONS above, created if the database does not hold them yet."""
    out = {}
    for code, name, level, parent in REGIONS:
        out[code], _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent_id": parent}
        )
    return out


def make_public_user(*, phone: str = "13800138000", display_name: str = "") -> User:
    """A member of the public who logs in by SMS code (no password)."""
    return create_user(username=f"u{phone}", phone=phone, display_name=display_name)


def make_operator(*, region_code: str = "510107", username: str = "operator") -> User:
    regions = ensure_regions()
    region = regions[region_code]
    operator = create_organisation(name=f"{region.name}全民健身中心", kind=OrganisationKind.OPERATOR, region=region)
    user = create_user(username=username, password=STAFF_PASSWORD, display_name=f"{region.name}场馆运营")
    grant_membership(user=user, organisation=operator)
    return user


def make_official(*, region_code: str, username: str | None = None) -> User:
    """A sports bureau official of the province (510000), a city (5101xx00) or a county."""
    regions = ensure_regions()
    region = regions[region_code]
    bureau = create_organisation(name=f"{region.name}体育局", kind=OrganisationKind.BUREAU, region=region)
    user = create_user(
        username=username or f"official{region_code}", password=STAFF_PASSWORD, display_name=f"{region.name}体育局"
    )
    grant_membership(user=user, organisation=bureau)
    return user


def session_cookie_for(user: User, *, method: str | None = None) -> dict[str, str]:
    """A logged-in session for `user`, as the browser cookie that carries it.

    The keys django.contrib.auth.login() writes, plus what the accounts sign-in views add: how
    the user signed in (`method`: "sms" or "password"; default: password for staff, SMS for the
    public) and the activity stamp the staff idle timeout reads. The backend named is the one
    that loads users (Axes' backend comes first in the list but loads none)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "sportsplatform.accounts.backends.RoleAwareModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[AUTH_METHOD_KEY] = method or (METHOD_PASSWORD if user.is_staff else METHOD_SMS)
    session[LAST_ACTIVITY_KEY] = timezone.now().timestamp()
    session.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key}
