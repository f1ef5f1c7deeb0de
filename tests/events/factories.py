"""Event test data without surprises. Helpers may append functions; keep existing signatures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.events.models import Event, EventGroup, RegistrationField
from sportsplatform.venues.models import Sport
from tests.support.accounts import STAFF_PASSWORD, ensure_regions

_n = {"n": 0}


def _next() -> int:
    _n["n"] += 1
    return _n["n"]


# The sports the venues data migration loads. Transactional tests (browser, concurrency) flush
# that data, so the factories put back the ones they use.
SPORTS = {
    "athletics": ("田径", "Athletics"),
    "badminton": ("羽毛球", "Badminton"),
    "basketball": ("篮球", "Basketball"),
    "football": ("足球", "Football"),
    "swimming": ("游泳", "Swimming"),
    "table_tennis": ("乒乓球", "Table tennis"),
    "tennis": ("网球", "Tennis"),
    "martial_arts": ("武术", "Martial arts"),
    "dance": ("舞蹈", "Dance"),
    "yoga": ("瑜伽", "Yoga"),
}


def ensure_sport(code: str) -> Sport:
    name, name_en = SPORTS.get(code, (code, code))
    return Sport.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})[0]


def make_organiser(
    *, region_code: str = "510107", kind: str = OrganisationKind.INSTITUTION, username: str | None = None
):
    """An organisation (association/company/institution by default) and one staff member of it.
    Returns (organisation, user)."""
    regions = ensure_regions()
    n = _next()
    org = create_organisation(name=f"测试体育协会{n}", kind=kind, region=regions[region_code])
    user = create_user(username=username or f"organiser{n}", password=STAFF_PASSWORD, display_name=f"赛事主办{n}")
    grant_membership(user=user, organisation=org)
    return org, user


def make_event(
    *,
    organiser=None,
    region_code: str = "510107",
    venue=None,
    status: str = ApprovalStatus.APPROVED,
    fee: str = "0.00",
    quota: int = 10,
    sport: str = "athletics",
    starts_in_days: int = 14,
    registration_open: bool = True,
    groups: tuple[tuple[str, int], ...] | None = None,
    **extra,
) -> Event:
    """A published event (status APPROVED) with one group of `quota` places by default, written
    directly (not through the review workflow: tests of the workflow create drafts)."""
    regions = ensure_regions()
    if organiser is None:
        organiser, _user = make_organiser(region_code=region_code)
    now = timezone.now()
    starts = now + timedelta(days=starts_in_days)
    event = Event.objects.create(
        title=extra.pop("title", f"测试赛事{_next()}"),
        sport=ensure_sport(sport),
        organiser=organiser,
        venue=venue,
        region=venue.region if venue is not None else regions[region_code],
        location=extra.pop("location", "" if venue else "天府广场"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        registration_opens_at=now - timedelta(days=1) if registration_open else now + timedelta(days=1),
        registration_closes_at=starts - timedelta(days=1),
        fee=Decimal(fee),
        contact_name=extra.pop("contact_name", "张老师"),
        contact_phone=extra.pop("contact_phone", "13900000000"),
        status=status,
        submitted_at=now if status != ApprovalStatus.DRAFT else None,
        decided_at=now if status in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED) else None,
        **extra,
    )
    for position, (name, places) in enumerate(groups or (("公开组", quota),)):
        EventGroup.objects.create(event=event, name=name, quota=places, position=position)
    return event


def add_field(event: Event, *, key: str, label: str, kind: str, required: bool = True, **extra) -> RegistrationField:
    return RegistrationField.objects.create(event=event, key=key, label=label, kind=kind, required=required, **extra)


def valid_id_number(birth: str = "19900101", region: str = "510107", sequence: str = "123") -> str:
    """A resident ID number with a correct check character."""
    from sportsplatform.core.idnumbers import check_character

    first17 = f"{region}{birth}{sequence}"
    return first17 + check_character(first17)
