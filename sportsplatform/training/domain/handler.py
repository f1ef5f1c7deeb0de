"""What paying, releasing and refunding mean for a course order (OrderKind.COURSE).

Money goes to the organiser's ledger account; refunds follow the course's refund tiers counted
back from its first session; the e-ticket is checked in by the organiser's staff during the
course period, and checking in marks the student present at the session under way."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from sportsplatform.orders.domain.kinds import OrderKindHandler, RefundQuote, register_order_kind
from sportsplatform.orders.models import Order, OrderKind

from ..models import Course, CourseSession, Enrolment

# Check-in opens this long before the first session.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=60)


def course_of(order: Order) -> Course | None:
    enrolment = Enrolment.objects.filter(order=order).select_related("course", "course__organiser").first()
    return enrolment.course if enrolment is not None else None


def course_period(course: Course) -> tuple[datetime, datetime] | None:
    from ..queries import first_session_start, last_session_end

    start, end = first_session_start(course), last_session_end(course)
    if start is None or end is None:
        return None
    return start, end


def refund_quote_for(*, course: Course, amount_left: Decimal, now: datetime) -> RefundQuote:
    from sportsplatform.booking.domain.handler import describe_refund_tiers, refund_percent

    period = course_period(course)
    tiers = course.refund_tiers or []
    if period is None:
        return RefundQuote(amount=amount_left, percent=100, rule="")
    hours_before = (period[0] - now).total_seconds() / 3600
    percent = refund_percent(tiers=tiers, hours_before=hours_before)
    amount = (amount_left * Decimal(percent) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return RefundQuote(amount=amount, percent=percent, rule=describe_refund_tiers(tiers))


class CourseOrderHandler(OrderKindHandler):
    kind = OrderKind.COURSE

    def on_paid(self, *, order: Order, actor=None) -> None:
        from sportsplatform.booking.domain.tickets import issue_ticket

        from .enrolments import confirm_paid

        confirm_paid(order=order, actor=actor)
        issue_ticket(order=order)

    def on_released(self, *, order: Order, actor=None) -> None:
        from sportsplatform.booking.models import Ticket

        from .enrolments import release_order

        release_order(order=order, actor=actor)
        Ticket.objects.filter(order=order, revoked_at__isnull=True).update(revoked_at=order.closed_at or timezone.now())

    def can_confirm_late(self, *, order: Order) -> bool:
        from .enrolments import relive_late

        return relive_late(order=order)

    def destination_account(self, *, order: Order):
        from sportsplatform.ledger.domain.posting import organiser_account

        course = course_of(order)
        if course is None:
            return super().destination_account(order=order)
        return organiser_account(course.organiser)

    def refund_quote(self, *, order: Order, now: datetime) -> RefundQuote:
        remaining = order.amount - order.refunded_amount
        course = course_of(order)
        if course is None:
            return RefundQuote(amount=remaining, percent=100, rule="")
        return refund_quote_for(course=course, amount_left=remaining, now=now)

    def can_check_in(self, *, actor, order: Order) -> bool:
        from .enrolments import is_organiser_staff

        course = course_of(order)
        return course is not None and is_organiser_staff(actor, course)

    def check_in_window(self, *, order: Order) -> tuple[datetime, datetime] | None:
        course = course_of(order)
        period = course_period(course) if course is not None else None
        if period is None:
            return None
        return period[0] - CHECK_IN_OPENS_BEFORE, period[1]

    def on_checked_in(self, *, order: Order, actor) -> None:
        from .attendance import record_presence

        now = timezone.now()
        for enrolment in Enrolment.objects.filter(order=order).select_related("course"):
            session = (
                CourseSession.objects.filter(
                    course_id=enrolment.course_id,
                    starts_at__lte=now + CHECK_IN_OPENS_BEFORE,
                    ends_at__gt=now,
                )
                .order_by("starts_at")
                .first()
            )
            if session is not None:
                record_presence(session=session, enrolment=enrolment, present=True, actor=actor)


def register() -> None:
    register_order_kind(CourseOrderHandler())
