"""Test data for results, judging, certificates and exports: confirmed entries written directly
(the sign-up path has its own tests), judges (expert-panel staff) and a back-office login."""

from __future__ import annotations

from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.models import Registration
from tests.support.accounts import STAFF_PASSWORD, ensure_regions, make_public_user, session_cookie_for

_n = {"n": 0}


def _next() -> int:
    _n["n"] += 1
    return _n["n"]


def make_entry(event, *, name: str | None = None, group=None, user=None, bib: str = "", answers=None, **extra):
    """A confirmed registration of `event` (first group unless given), by a new public user."""
    n = _next()
    if user is None:
        user = make_public_user(phone=f"139{n:08d}", display_name=name or f"选手{n}")
    return Registration.objects.create(
        event=event,
        group=group or event.groups.order_by("position", "id").first(),
        user=user,
        status=extra.pop("status", SignupStatus.CONFIRMED),
        participant_name=name or f"选手{n}",
        bib=bib or f"{n:04d}",
        answers=answers or {},
        confirmed_at=timezone.now(),
        **extra,
    )


def make_judge(*, username: str | None = None, display_name: str = ""):
    """A member of an expert panel (role expert, back-office staff)."""
    regions = ensure_regions()
    n = _next()
    panel = create_organisation(name="四川省体育专家库", kind=OrganisationKind.EXPERT_PANEL, region=regions["510000"])
    user = create_user(
        username=username or f"judge{n}", password=STAFF_PASSWORD, display_name=display_name or f"裁判{n}"
    )
    grant_membership(user=user, organisation=panel)
    return user


def login_staff(client, user) -> None:
    """A back-office session (signed in with a password), as the admin gate requires."""
    cookie = session_cookie_for(user)
    client.cookies[cookie["name"]] = cookie["value"]
