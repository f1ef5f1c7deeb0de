"""Reads of events: the public list with its filters, one published event, a person's sign-ups,
the waiting list and an event's registrations for its organiser. Pages, the API and the back
office call these; nothing here writes.

Published means approved by the bureau and not cancelled (Event.is_published); drafts, events
under review, rejected and cancelled events answer like missing ones on the public side."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.core.errors import NotFound
from sportsplatform.core.scoping import visible_to
from sportsplatform.core.signups import ACTIVE, SignupStatus
from sportsplatform.regions.models import Region

from .models import Event, EventGroup, Registration, RegistrationField

FEE_FREE = "free"
FEE_PAID = "paid"


def published_q(prefix: str = "") -> Q:
    """SQL filter: published events (`prefix` e.g. "event__" when filtering a related model)."""
    return Q(**{f"{prefix}status": ApprovalStatus.APPROVED, f"{prefix}cancelled_at__isnull": True})


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _paid_group_q() -> Q:
    """Events with a fee: the event's default fee, or any group that sets its own above zero."""
    # A group with fee NULL charges the event's fee; one with its own fee charges that.
    own_fee = EventGroup.objects.filter(event_id=OuterRef("pk"), fee__gt=0)
    event_fee = EventGroup.objects.filter(event_id=OuterRef("pk"), fee__isnull=True)
    return Q(Exists(own_fee)) | (Q(fee__gt=0) & Q(Exists(event_fee)))


def published_events(
    *,
    q: str = "",
    sport=None,
    region: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    fee: str | None = None,
    open_only: bool = False,
    now: datetime | None = None,
) -> QuerySet[Event]:
    """Published events matching every given filter, with what a list row shows (sport, region,
    venue, organiser, groups) loaded in a constant number of queries.

    - q: words, each matched in the title, place, venue name or organiser name;
    - sport: a Sport or its code; region: a region code (the region and everything inside it);
    - date_from / date_to: local dates; an event matches when any of its days falls between;
    - fee: "free" (no group charges anything) or "paid" (some group charges a fee);
    - open_only: registration window open now.

    Ordered: events not yet over first, soonest first; then past events, latest first."""
    now = now or timezone.now()
    qs = Event.objects.filter(published_q())
    for term in (q or "").split():
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(location__icontains=term)
            | Q(venue__name__icontains=term)
            | Q(organiser__name__icontains=term)
        )
    if sport:
        qs = qs.filter(sport__code=getattr(sport, "code", sport))
    if region:
        qs = qs.filter(region__in=Region.objects.within(region).values("code"))
    if date_from:
        qs = qs.filter(ends_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(starts_at__lt=_day_start(date_to + timedelta(days=1)))
    if fee == FEE_PAID:
        qs = qs.filter(_paid_group_q())
    elif fee == FEE_FREE:
        qs = qs.exclude(_paid_group_q())
    if open_only:
        qs = qs.filter(registration_opens_at__lte=now, registration_closes_at__gt=now)
    qs = qs.annotate(
        is_over=Case(When(ends_at__lt=now, then=Value(1)), default=Value(0), output_field=IntegerField()),
    )
    upcoming_start = Case(When(is_over=0, then=F("starts_at")))
    past_start = Case(When(is_over=1, then=F("starts_at")))
    return with_list_relations(qs).order_by("is_over", upcoming_start.asc(), past_start.desc(), "id")


def with_list_relations(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.select_related("sport", "region", "venue", "organiser").prefetch_related(
        Prefetch("groups", queryset=EventGroup.objects.order_by("position", "id"))
    )


def event_detail(pk) -> Event:
    """One published event with its groups and sign-up questions; NotFound for anything else."""
    try:
        return (
            Event.objects.filter(published_q())
            .select_related("sport", "region", "venue", "venue__region", "organiser")
            .prefetch_related(
                Prefetch("groups", queryset=EventGroup.objects.order_by("position", "id")),
                Prefetch("fields", queryset=RegistrationField.objects.order_by("position", "id")),
            )
            .get(pk=pk)
        )
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def event_for_signup(pk) -> Event:
    """A published event with its groups: what the sign-up endpoint needs to pick the group.
    Lighter than event_detail (no joins, no questions): register() loads what it checks itself."""
    try:
        return (
            Event.objects.filter(published_q())
            .prefetch_related(Prefetch("groups", queryset=EventGroup.objects.order_by("position", "id")))
            .get(pk=pk)
        )
    except (Event.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def my_registrations(user, *, status: str | None = None) -> QuerySet[Registration]:
    """A person's sign-ups, newest first, with event, group and order loaded ("my events")."""
    if user is None or not user.is_authenticated:
        return Registration.objects.none()
    qs = Registration.objects.filter(user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("event", "event__venue", "event__sport", "group", "order").order_by("-created_at", "-id")


def my_registration(*, user, pk) -> Registration:
    """One of a person's own sign-ups; someone else's answers like a missing one."""
    try:
        return my_registrations(user).get(pk=pk)
    except (Registration.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def active_registration(*, event: Event, user) -> Registration | None:
    """The person's pending, confirmed or waitlisted sign-up for the event (at most one)."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(event=event, user=user, status__in=list(ACTIVE))
        .select_related("group", "order")
        .first()
    )


def waitlist(group: EventGroup) -> QuerySet[Registration]:
    """The group's waiting list in promotion order (first come, first promoted)."""
    return Registration.objects.filter(group=group, status=SignupStatus.WAITLISTED).order_by("waitlisted_at", "id")


def waitlist_position(registration: Registration) -> int | None:
    """1 for the next to be promoted; None when the sign-up is not waiting."""
    if registration.status != SignupStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(group_id=registration.group_id, status=SignupStatus.WAITLISTED).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, id__lt=registration.pk)
    )
    return ahead.count() + 1


def waitlist_positions(registrations) -> dict[int, int]:
    """Waiting-list position of each waitlisted registration among `registrations`, in one query."""
    waiting = {r.pk: r.group_id for r in registrations if r.status == SignupStatus.WAITLISTED}
    if not waiting:
        return {}
    ranked = (
        Registration.objects.filter(group_id__in=set(waiting.values()), status=SignupStatus.WAITLISTED)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("group_id")], order_by=[F("waitlisted_at").asc(), F("id").asc()]
            )
        )
        .values_list("pk", "position")
    )
    return {pk: position for pk, position in ranked if pk in waiting}


def group_counts(event: Event) -> QuerySet[EventGroup]:
    """The event's groups with `waitlisted` (people waiting) annotated; `taken`/`quota` are columns."""
    return (
        EventGroup.objects.filter(event=event)
        .annotate(waitlisted=Count("registrations", filter=Q(registrations__status=SignupStatus.WAITLISTED)))
        .order_by("position", "id")
    )


def event_registrations(*, user, event: Event, status: str | None = None) -> QuerySet[Registration]:
    """An event's sign-ups as the organiser's staff, the reviewing bureau or an admin may see them
    (through the region/organisation scope)."""
    qs = visible_to(user, Registration.objects.filter(event=event))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("group", "user", "order").order_by("group__position", "group_id", "created_at", "id")
