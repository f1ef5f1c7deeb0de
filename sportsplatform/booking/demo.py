"""seed_demo step 50: booking rules, session tickets, the slot grid and a booking history.

- Every published venue with bookable courts gets a BookingPolicy (most the common 7 days from
  08:00; some 3 days from 12:00 or 14 days from 07:00, some 30-minute tables), price rules (evening
  and weekend peaks, holiday prices, member prices for sports card holders).
- Swimming pools get a bookable session "游泳场次" (80 places) and gyms and fitness centres a
  "健身房时段" (40 places), sold as tickets by the hour.
- Slots for the whole window of the venues run by demo organisations and of every venue in 武侯区,
  in bulk (the step logs how long that took): about 35,000 slots in a few seconds. Building a
  week of slots for all ~600 bookable venues (~800,000 rows) takes minutes, too long for the seed;
  their days are generated when first read (booking.domain.availability), by the daily task or by
  `manage.py generate_slots`.
- The demo user "user" gets a history at the demo operator's 武侯区全民健身中心: a paid upcoming
  booking with its ticket, a used one, a cancelled and refunded one and an expired one; a few other
  demo users fill the operator's calendar. Bookings are made with create_booking and paid through
  the sandbox (payments.start_payment, the sandbox cashier and its signed callback), cancelled with cancel_order and
  expired with expire_order. The used booking lies in the past, where holds cannot be paid any
  more: it is confirmed through the order state machine and the booking handler, then checked in
  at its start time (it carries no payment record)."""

from __future__ import annotations

import time as clock
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

OPERATOR_ORG = "成都市武侯区全民健身中心管理有限公司"
HOME_VENUE = "武侯区全民健身中心"
# Venues run by a demo organisation and every venue of this county get their whole window ahead.
HOME_REGION = "510107"
POOL_CATEGORIES = ("natatorium", "swimming_club")
SESSION_COURTS = {
    "swimming": ("游泳场次", Decimal("30.00"), 80),
    "fitness": ("健身房时段", Decimal("25.00"), 40),
}
OTHER_USERS = [("demo_booker1", "张伟", "13800000011"), ("demo_booker2", "王芳", "13800000012"),
               ("demo_booker3", "刘洋", "13800000013")]  # fmt: skip


def seed_booking(ctx) -> None:
    from sportsplatform.booking.models import BookingPolicy

    started = clock.perf_counter()
    venues = _bookable_venues()
    if not venues:
        ctx.log("    no bookable venues: skipped (run the venues step first)")
        return
    if not BookingPolicy.objects.filter(venue__in=venues).exists():
        sessions = _add_session_courts(ctx, venues)
        policies, rules = _add_policies_and_prices(ctx, _bookable_venues())
        ctx.log(f"    {policies} booking policies, {rules} price rules, {sessions} session courts")
    else:
        ctx.log("    booking policies already present")
    slot_started = clock.perf_counter()
    ahead = [v for v in _bookable_venues() if v.operator_id or v.region_id == HOME_REGION]
    created = generate_window_slots(ahead)
    ctx.log(
        f"    {created} slots for {len(ahead)} venues in {clock.perf_counter() - slot_started:.1f}s "
        "(the other venues' days are made when first read, by the daily task or `manage.py generate_slots`)"
    )
    _seed_history(ctx)
    ctx.log(f"    booking step took {clock.perf_counter() - started:.1f}s")


def _bookable_venues():
    from sportsplatform.venues.models import Venue

    return list(
        Venue.objects.filter(is_published=True)
        .annotate(bookable=Count("courts", filter=Q(courts__is_bookable=True)))
        .filter(bookable__gt=0)
        .order_by("pk")
    )


def _add_session_courts(ctx, venues) -> int:
    """Ticketed sessions for pools and gyms, through the venues domain (as an operator would add them)."""
    from sportsplatform.venues.domain.venues import add_court
    from sportsplatform.venues.models import CourtKind, Sport, Venue

    admin = ctx.user("admin")
    sports = {s.code: s for s in Sport.objects.filter(code__in=SESSION_COURTS)}
    candidates = Venue.objects.filter(is_published=True).filter(
        Q(type__in=("natatorium", "swimming_pool")) | Q(sports__code__in=list(SESSION_COURTS))
    )
    count = 0
    for venue in candidates.distinct().prefetch_related("sports", "courts").order_by("pk")[:400]:
        codes = {s.code for s in venue.sports.all()}
        names = {c.name for c in venue.courts.all()}
        for code, (name, price, capacity) in SESSION_COURTS.items():
            if code not in codes or code not in sports or name in names:
                continue
            if code == "fitness" and ctx.rng.random() < 0.5:
                continue
            add_court(venue=venue, name=name, sport=sports[code], price_per_hour=price, actor=admin,
                      kind=CourtKind.SESSION, capacity=capacity, order=99)  # fmt: skip
            count += 1
    return count


def _add_policies_and_prices(ctx, venues) -> tuple[int, int]:
    from sportsplatform.booking.models import BookingPolicy, DayKind, PriceRule
    from sportsplatform.venues.models import Court, CourtKind

    rng = ctx.rng
    policies, rules = [], []
    courts_by_venue: dict[int, list[Court]] = {}
    for court in Court.objects.filter(venue__in=venues, is_bookable=True).order_by("pk"):
        courts_by_venue.setdefault(court.venue_id, []).append(court)
    for venue in venues:
        roll = rng.random()
        if venue.name == HOME_VENUE:
            policy = BookingPolicy(venue=venue)
        elif roll < 0.15:
            policy = BookingPolicy(venue=venue, window_days=3, release_time=time(12, 0), hold_minutes=10)
        elif roll < 0.25:
            policy = BookingPolicy(venue=venue, window_days=14, release_time=time(7, 0), max_hours_per_day=2)
        elif roll < 0.32:
            policy = BookingPolicy(venue=venue, slot_minutes=30, refund_tiers=[{"hours_before": 12, "percent": 100}])
        else:
            policy = BookingPolicy(venue=venue)
        policies.append(policy)
        for court in courts_by_venue.get(venue.pk, []):
            if court.kind == CourtKind.SESSION or court.price_per_hour == 0:
                continue
            base = court.price_per_hour * Decimal(policy.slot_minutes) / 60
            peak = (base * Decimal("1.5")).quantize(Decimal("1"))
            member = (peak * Decimal("0.8")).quantize(Decimal("1"))
            weekend = (base * Decimal("1.3")).quantize(Decimal("1"))
            rules += [
                PriceRule(venue=venue, court=court, name="晚间高峰", day_kind=DayKind.WEEKDAY, starts=time(18),
                          ends=time(22), price=peak, member_price=member),
                PriceRule(venue=venue, court=court, name="周末", day_kind=DayKind.WEEKEND, starts=time(8),
                          ends=time(22), price=weekend, member_price=(weekend * Decimal("0.9")).quantize(Decimal("1"))),
            ]  # fmt: skip
            if rng.random() < 0.3:
                rules.append(PriceRule(venue=venue, court=court, name="节假日", day_kind=DayKind.HOLIDAY,
                                       starts=time(8), ends=time(22), price=peak, member_price=peak))  # fmt: skip
    # Bulk: one saved signal per row would queue a regeneration of each venue for nothing (no slots yet).
    BookingPolicy.objects.bulk_create(policies, batch_size=500)
    PriceRule.objects.bulk_create(rules, batch_size=1000)
    return len(policies), len(rules)


def generate_window_slots(venues) -> int:
    """Every venue's booking window, built in Python and written in large batches."""
    from sportsplatform.booking.domain.policy import policy_for
    from sportsplatform.booking.domain.slots import build_slots
    from sportsplatform.booking.models import Slot
    from sportsplatform.venues.models import Venue

    today = timezone.localdate()
    ids = [v.pk for v in venues]
    existing_days = set(
        Slot.objects.filter(venue_id__in=ids, date__gte=today).values_list("venue_id").annotate(n=Count("id"))
    )
    done = {venue_id for venue_id, _n in existing_days}
    total = 0
    batch = []
    for venue in (
        Venue.objects.filter(pk__in=ids)
        .exclude(pk__in=done)
        .prefetch_related("opening_hours", "opening_exceptions", "courts")
        .select_related("booking_policy")
        .iterator(chunk_size=200)
    ):
        batch += build_slots(venue=venue, start=today, days=policy_for(venue).window_days + 1)
        if len(batch) >= 20000:
            Slot.objects.bulk_create(batch, batch_size=5000, ignore_conflicts=True)
            total += len(batch)
            batch = []
    if batch:
        Slot.objects.bulk_create(batch, batch_size=5000, ignore_conflicts=True)
        total += len(batch)
    return total


# --- a booking history -----------------------------------------------------------------------------


def _demo_user(username, name, phone):
    from sportsplatform.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, display_name=name, phone=phone)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _free_slots(venue, *, day, count=1, after=None, court_kind=None):
    """`count` consecutive free open slots of one court on `day` (released, not started)."""
    from sportsplatform.booking.models import Slot, SlotStatus

    now = timezone.now()
    qs = (
        Slot.objects.filter(
            venue=venue, date=day, status=SlotStatus.OPEN, taken=0, start__gt=after or now, release_at__lte=now
        )
        .select_related("court")
        .order_by("court__order", "court_id", "start")
    )
    if court_kind:
        qs = qs.filter(court__kind=court_kind)
    by_court: dict[int, list] = {}
    for slot in qs:
        run = by_court.setdefault(slot.court_id, [])
        if run and run[-1].end != slot.start:
            run.clear()
        run.append(slot)
        if len(run) == count:
            return run
    return []


def _pay(order, user):
    """Pay through the sandbox as a buyer does: start the payment, confirm on the sandbox cashier,
    and the gateway's signed callback (delivered in-process now rather than after the step's
    commit, so the step can go on with a paid order) captures it."""
    from sportsplatform.payments import sandbox
    from sportsplatform.payments.domain.pay import start_payment
    from sportsplatform.payments.models import SandboxTrade

    payment = start_payment(order=order, method="sandbox", actor=user, request_info={"ip": "127.0.0.1"})
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
    sandbox.pay_trade(token=trade.token)
    sandbox.deliver("payment", trade.pk)
    order.refresh_from_db()
    return order


def _seed_history(ctx) -> None:
    from sportsplatform.booking.domain.holds import create_booking
    from sportsplatform.orders.domain.cancel import cancel_order
    from sportsplatform.orders.domain.expiry import expire_order
    from sportsplatform.orders.models import Order, OrderKind
    from sportsplatform.venues.models import Venue

    user = ctx.user("user")
    venue = Venue.objects.filter(name=HOME_VENUE, operator__name=OPERATOR_ORG).first()
    if venue is None:
        ctx.log("    demo operator's venue missing: no booking history")
        return
    if Order.objects.filter(user=user, kind=OrderKind.BOOKING).exists():
        ctx.log("    booking history already present")
        return
    today = timezone.localdate()
    made = []

    # Paid, upcoming, with its ticket: two hours the day after tomorrow.
    slots = _free_slots(venue, day=today + timedelta(days=2), count=2)
    if slots:
        order = create_booking(user=user, slot_ids=[s.pk for s in slots], idempotency_key="demo-paid")
        made.append(("paid", _pay(order, user)))

    # Cancelled by the user four days ahead: refunded in full under the 24-hour rule.
    slots = _free_slots(venue, day=today + timedelta(days=4))
    if slots:
        order = _pay(create_booking(user=user, slot_ids=[slots[0].pk], idempotency_key="demo-refunded"), user)
        made.append(("refunded", cancel_order(order=order, actor=user, reason="临时有事，取消预订")))

    # Not paid in time: the hold lapsed and the slot is free again.
    slots = _free_slots(venue, day=today + timedelta(days=3))
    if slots:
        order = create_booking(user=user, slot_ids=[slots[0].pk], idempotency_key="demo-expired",
                               now=timezone.now() - timedelta(minutes=30))  # fmt: skip
        expire_order(order_id=order.pk)
        order.refresh_from_db()
        made.append(("expired", order))

    used = _used_booking(venue, user, ctx)
    if used is not None:
        made.append(("used", used))

    # Other people's paid bookings fill the operator's calendar for the next days.
    others = [_demo_user(*spec) for spec in OTHER_USERS]
    for offset in range(1, 4):
        for person in others:
            day = today + timedelta(days=offset)
            after = timezone.make_aware(datetime.combine(day, time(ctx.rng.choice([9, 14, 18, 19]))))
            slots = _free_slots(venue, day=day, count=ctx.rng.choice([1, 2]), after=after)
            if slots:
                order = create_booking(user=person, slot_ids=[s.pk for s in slots],
                                       idempotency_key=f"demo-{person.username}-{offset}")  # fmt: skip
                made.append(("paid", _pay(order, person)))
    ctx.log("    booking history: " + ", ".join(f"{kind} {order.number} ({order.status})" for kind, order in made))


def _used_booking(venue, user, ctx):
    """Yesterday's booking, checked in at the desk. Yesterday's hold cannot be paid today, so the
    order is confirmed through the state machine and the booking handler (no payment record)."""
    from sportsplatform.booking.domain.holds import create_booking
    from sportsplatform.booking.domain.slots import generate_slots
    from sportsplatform.booking.domain.tickets import check_in
    from sportsplatform.booking.models import Ticket
    from sportsplatform.orders.domain.kinds import handler_for
    from sportsplatform.orders.domain.transitions import lock_order, transition_order
    from sportsplatform.orders.models import OrderStatus

    yesterday = timezone.localdate() - timedelta(days=1)
    generate_slots(venue=venue, start=yesterday, days=1)
    evening = timezone.make_aware(datetime.combine(yesterday, time(19)))
    slots = _free_slots(venue, day=yesterday, after=evening - timedelta(minutes=1))
    if not slots:
        return None
    slot = slots[0]
    booked_at = slot.start - timedelta(days=1)
    order = create_booking(user=user, slot_ids=[slot.pk], idempotency_key="demo-used", now=booked_at)
    order = lock_order(order.pk)
    transition_order(order=order, to=OrderStatus.PAID, actor=user, note="demo: paid at the desk")
    handler_for(order).on_paid(order=order, actor=user)
    ticket = Ticket.objects.get(order=order)
    check_in(code_or_token=ticket.code, actor=ctx.user("operator"), venue=venue, now=slot.start - timedelta(minutes=10))
    order.refresh_from_db()
    return order
