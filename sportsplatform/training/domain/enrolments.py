"""Enrolling in a course, withdrawing, the waiting list.

Mechanics shared with event registration (core.signups): a place is taken with a conditional
UPDATE on the course row (`take_place`), so two people racing for the last place cannot both get
it and the check constraint taken <= quota refuses an oversell even if this code were wrong. The
person then holds the place with an order of kind "course" (orders.domain.create): paid courses
wait for payment (BOOKING_HOLD_MINUTES, like a court), free ones get an order of 0 that is paid at
once, so everyone has an e-ticket. A full course puts the person on the waiting list (no order).

When a place frees (withdrawal, an unpaid order expiring, an order cancelled), the handler of the
order kind (domain.handler) releases it and `promote_waitlist` gives it to the first in line:
free courses confirm at once, paid ones get an order payable for COURSE_PROMOTION_HOLD_HOURS.

Lock order, everywhere: an existing order row first (orders lock it), then the course row; new
orders are created after the course row, and nobody else can hold them yet. Calls to payment
providers (cancel_order) happen outside the course lock."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.accounts.phones import normalise_phone, validate_mainland_phone
from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.scoping import scope_for
from sportsplatform.core.signups import (
    ACTIVE,
    HOLDS_PLACE,
    SignupStatus,
    check_signup_transition,
    free_place,
    take_place,
)
from sportsplatform.notifications.domain.send import notify
from sportsplatform.orders.domain.create import LineSpec, create_order
from sportsplatform.orders.models import Order, OrderKind, OrderStatus

from ..models import Course, Enrolment

# (status, reason) the next release of an enrolment's order should close it with: set by
# withdraw_enrolment and cancel_course around cancel_order, read by the order handler.
closing_as: ContextVar[tuple[str, str] | None] = ContextVar("training_enrolment_closing_as", default=None)


def promotion_hold() -> timedelta:
    return timedelta(hours=getattr(settings, "COURSE_PROMOTION_HOLD_HOURS", 24))


def payment_hold() -> timedelta:
    return timedelta(minutes=getattr(settings, "BOOKING_HOLD_MINUTES", 15))


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def is_organiser_staff(actor, course: Course) -> bool:
    scope = scope_for(actor)
    return scope.everything or scope.allows_organisation(course.organiser_id)


# --- input -----------------------------------------------------------------------------------


def clean_student(
    *, course: Course, student_name: str, student_birth_date: date | None, guardian_phone: str, today: date
) -> tuple[str, date | None, str]:
    """Check who is enrolled: a name, a birth date when the course has an age limit (the age on
    the course's first day must lie within it), a mainland mobile number. Raises ValidationFailed
    with a message per field."""
    errors: dict[str, list[str]] = {}
    name = (student_name or "").strip()
    if not name:
        errors["student_name"] = [_("Enter the student's name.")]
    elif len(name) > 64:
        errors["student_name"] = [_("The name is too long (64 characters at most).")]
    if isinstance(student_birth_date, datetime):
        student_birth_date = student_birth_date.date()
    if student_birth_date is not None and student_birth_date > today:
        errors["student_birth_date"] = [_("The date of birth cannot be in the future.")]
    elif course.min_age is not None or course.max_age is not None:
        if student_birth_date is None:
            errors["student_birth_date"] = [_("This course has an age limit: enter the student's date of birth.")]
        else:
            age = age_on(student_birth_date, course.starts_on)
            if course.min_age is not None and age < course.min_age:
                errors["student_birth_date"] = [
                    _("The student must be at least %(age)d years old when the course starts.")
                    % {"age": course.min_age}
                ]
            elif course.max_age is not None and age > course.max_age:
                errors["student_birth_date"] = [
                    _("The student must be at most %(age)d years old when the course starts.") % {"age": course.max_age}
                ]
    phone = normalise_phone(guardian_phone)
    if not phone:
        errors["guardian_phone"] = [_("Enter a contact phone number.")]
    else:
        try:
            validate_mainland_phone(phone)
        except ValidationError as exc:
            errors["guardian_phone"] = list(exc.messages)
    if errors:
        raise ValidationFailed(fields=errors)
    return name, student_birth_date, phone


# --- enrol -----------------------------------------------------------------------------------


def enrol(
    *,
    course: Course,
    user,
    student_name: str,
    student_birth_date: date | None = None,
    guardian_phone: str = "",
    note: str = "",
    actor=None,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> Enrolment:
    """Enrol `user` (for `student_name`) in a published course whose enrolment window is open.

    Returns the enrolment: PENDING_PAYMENT with its order (a fee), CONFIRMED (free; its order of 0
    is paid at once) or WAITLISTED (course full; no order). Raises ValidationFailed (bad input),
    Conflict "enrolment_closed" (not published or window shut), Conflict "already_enrolled" (an
    active enrolment exists). A retried call with the same `idempotency_key` returns the first
    enrolment instead of failing."""
    actor = actor or user
    now = now or timezone.now()
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotPermitted(_("Log in to enrol."))
    idempotency_key = (idempotency_key or "").strip()[:64]
    if idempotency_key:
        earlier = Enrolment.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.course_id != course.pk:
                raise Conflict(_("This request key was used for another enrolment."), code="idempotency_key_reused")
            return earlier
    name, birth_date, phone = clean_student(
        course=course,
        student_name=student_name,
        student_birth_date=student_birth_date,
        guardian_phone=guardian_phone or getattr(user, "phone", "") or "",
        today=timezone.localdate(now),
    )
    try:
        with transaction.atomic():
            # The course row first: an enrolment and a cancellation of the course cannot cross.
            locked = Course.objects.select_for_update().get(pk=course.pk)
            if not locked.enrolment_open(now):
                raise Conflict(_("Enrolment for this course is not open."), code="enrolment_closed")
            if Enrolment.objects.filter(user=user, course=locked, status__in=ACTIVE).exists():
                raise Conflict(_("You are already enrolled in this course."), code="already_enrolled")
            enrolment = Enrolment(
                course=locked,
                user=user,
                student_name=name,
                student_birth_date=birth_date,
                guardian_phone=phone,
                note=(note or "").strip()[:255],
                idempotency_key=idempotency_key,
            )
            if take_place(Course, locked.pk):
                enrolment.status = SignupStatus.PENDING_PAYMENT
                enrolment.order = _new_order(
                    course=locked,
                    user=user,
                    student_name=name,
                    expires_at=now + payment_hold(),
                    actor=actor,
                )
                enrolment.save()
                _settle_if_free(enrolment=enrolment, actor=actor)
            else:
                enrolment.status = SignupStatus.WAITLISTED
                enrolment.waitlisted_at = now
                enrolment.save()
            audit.record(action="training.enrolment.created", actor=actor, obj=enrolment, status=enrolment.status)
            _tell_enrolled(enrolment)
    except IntegrityError:
        # The partial unique indexes refused what a concurrent request had already done (one
        # active enrolment per person per course; one enrolment per request key); nothing was kept.
        if idempotency_key:
            earlier = Enrolment.objects.filter(user=user, idempotency_key=idempotency_key).first()
            if earlier is not None and earlier.course_id == course.pk:
                return earlier
        raise Conflict(_("You are already enrolled in this course."), code="already_enrolled") from None
    enrolment.refresh_from_db()
    return enrolment


def _new_order(*, course: Course, user, student_name: str, expires_at, actor) -> Order:
    return create_order(
        user=user,
        kind=OrderKind.COURSE,
        venue=course.venue,
        lines=[
            LineSpec(
                kind="enrolment",
                object_id=None,
                description=f"{course.title} · {student_name}",
                unit_price=course.fee,
            )
        ],
        expires_at=expires_at,
        actor=actor,
    )


def _settle_if_free(*, enrolment: Enrolment, actor) -> None:
    """A free course: pay its order of 0 at once (the order handler then confirms the enrolment and
    issues the e-ticket). Inside the caller's transaction."""
    order = enrolment.order
    order.lines.filter(object_id__isnull=True).update(object_id=enrolment.pk)
    if order.amount != 0:
        return
    from sportsplatform.payments.domain.pay import start_payment
    from sportsplatform.payments.providers.registry import enabled_codes

    methods = enabled_codes()
    # No money moves for an order of 0 (start_payment pays it without asking the provider).
    method = "card" if "card" in methods else methods[0]
    start_payment(order=order, method=method, actor=actor)
    enrolment.refresh_from_db()


def _tell_enrolled(enrolment: Enrolment) -> None:
    course = enrolment.course
    if enrolment.status == SignupStatus.WAITLISTED:
        title = _("On the waiting list")
        body = _("%(course)s is full. %(name)s is on the waiting list; we will tell you when a place frees.") % {
            "course": course.title,
            "name": enrolment.student_name,
        }
    elif enrolment.status == SignupStatus.CONFIRMED:
        title = _("Enrolment confirmed")
        body = _("%(name)s is enrolled in %(course)s.") % {"course": course.title, "name": enrolment.student_name}
    else:
        title = _("Enrolment awaiting payment")
        body = _("Pay for %(course)s to keep the place of %(name)s.") % {
            "course": course.title,
            "name": enrolment.student_name,
        }
    notify(user=enrolment.user, kind="training.enrolment", title=title, body=body, link=_link(enrolment))


def _link(enrolment: Enrolment) -> str:
    from django.urls import NoReverseMatch, reverse

    if enrolment.order_id and enrolment.status == SignupStatus.PENDING_PAYMENT:
        try:
            return reverse("orders:pay", args=[enrolment.order_id])
        except NoReverseMatch:
            pass
    try:
        return reverse("training:detail", args=[enrolment.course_id])
    except NoReverseMatch:
        return ""


# --- order handler callbacks (inside the order's transaction, the order row locked) ----------


def confirm_paid(*, order: Order, actor=None) -> list[Enrolment]:
    """The order of these enrolments is paid: confirm them."""
    now = timezone.now()
    confirmed = []
    for enrolment in Enrolment.objects.select_for_update().filter(order=order).order_by("pk"):
        if enrolment.status != SignupStatus.PENDING_PAYMENT:
            continue
        check_signup_transition(enrolment.status, SignupStatus.CONFIRMED)
        enrolment.status = SignupStatus.CONFIRMED
        enrolment.confirmed_at = now
        enrolment.save(update_fields=["status", "confirmed_at"])
        audit.record(action="training.enrolment.confirmed", actor=actor, obj=enrolment)
        confirmed.append(enrolment)
    return confirmed


def release_order(*, order: Order, actor=None) -> list[Enrolment]:
    """The order expired, was cancelled or refunded: close its enrolments, free their places and
    promote the waiting list."""
    requested = closing_as.get()
    closed = []
    for enrolment in Enrolment.objects.select_for_update().filter(order=order).order_by("pk"):
        if enrolment.status not in HOLDS_PLACE:
            continue
        if order.status == OrderStatus.EXPIRED and enrolment.status == SignupStatus.PENDING_PAYMENT:
            to, reason = SignupStatus.EXPIRED, _("Not paid in time")
        elif requested is not None:
            to, reason = requested
        elif getattr(actor, "pk", None) == enrolment.user_id:
            # The buyer cancelled the order itself (orders page or API): a withdrawal.
            to, reason = SignupStatus.WITHDRAWN, _("The order was cancelled")
        else:
            to, reason = SignupStatus.CANCELLED, _("The order was cancelled")
        _close(enrolment=enrolment, to=to, reason=reason, actor=actor)
        closed.append(enrolment)
    for course_id in sorted({e.course_id for e in closed}):
        course = Course.objects.get(pk=course_id)
        promote_waitlist(course=course, actor=actor)
    return closed


def relive_late(*, order: Order) -> bool:
    """A payment came after the hold lapsed: confirm the enrolment if the course still has a place
    and the person has not enrolled again meanwhile (otherwise the payment is refunded)."""
    enrolment = Enrolment.objects.filter(order=order).first()
    if enrolment is None or enrolment.status != SignupStatus.EXPIRED:
        return False
    try:
        with transaction.atomic():
            course = Course.objects.select_for_update().get(pk=enrolment.course_id)
            if not course.is_published or course.ends_on < timezone.localdate():
                return False
            locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
            if locked.status != SignupStatus.EXPIRED or not take_place(Course, course.pk):
                return False
            check_signup_transition(locked.status, SignupStatus.CONFIRMED)
            locked.status = SignupStatus.CONFIRMED
            locked.confirmed_at = timezone.now()
            locked.closed_at = None
            locked.close_reason = ""
            locked.save(update_fields=["status", "confirmed_at", "closed_at", "close_reason"])
            audit.record(action="training.enrolment.confirmed_late", actor=None, obj=locked, order=order.number)
    except IntegrityError:
        return False  # enrolled again meanwhile: one active enrolment per person
    return True


def _close(*, enrolment: Enrolment, to: str, reason: str, actor) -> None:
    """Move an enrolment to a closed status; give its place back if it held one."""
    check_signup_transition(enrolment.status, to)
    held = enrolment.status in HOLDS_PLACE
    enrolment.status = to
    enrolment.closed_at = timezone.now()
    enrolment.close_reason = (reason or "")[:255]
    enrolment.save(update_fields=["status", "closed_at", "close_reason"])
    if held:
        free_place(Course, enrolment.course_id)
    audit.record(action=f"training.enrolment.{to}", actor=actor, obj=enrolment, reason=enrolment.close_reason)


# --- withdraw --------------------------------------------------------------------------------


def withdraw_enrolment(*, enrolment: Enrolment, actor, reason: str = "") -> Enrolment:
    """The student (or the organiser's staff) withdraws. A waitlisted enrolment just leaves the
    list. One holding a place has its order cancelled: an unpaid order is closed; a paid one is
    refunded per `course.refund_tiers` relative to the first session (in full when the organiser
    withdraws it). Its place goes to the waiting list. Raises NotPermitted or IllegalTransition."""
    enrolment = Enrolment.objects.select_related("course", "order").get(pk=enrolment.pk)
    course = enrolment.course
    by_student = getattr(actor, "pk", None) == enrolment.user_id
    if not by_student and not is_organiser_staff(actor, course):
        raise NotPermitted(_("Only the person who enrolled or the organiser can withdraw this enrolment."))
    if enrolment.status not in ACTIVE:
        raise IllegalTransition(
            _("This enrolment is %(status)s and cannot be withdrawn.") % {"status": enrolment.get_status_display()},
            fields={"status": [enrolment.status, SignupStatus.WITHDRAWN]},
        )
    reason = (reason or "").strip()[:255] or (
        _("Withdrawn by the student") if by_student else _("Withdrawn by the organiser")
    )
    order = enrolment.order
    if (
        enrolment.status == SignupStatus.WAITLISTED
        or order is None
        or order.status
        not in (
            OrderStatus.PENDING_PAYMENT,
            OrderStatus.PAID,
        )
    ):
        with transaction.atomic():
            if order is not None:
                from sportsplatform.orders.domain.transitions import lock_order

                lock_order(order.pk)  # same lock order as the handler: order, then course
            locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
            if locked.status not in ACTIVE:
                raise IllegalTransition(fields={"status": [locked.status, SignupStatus.WITHDRAWN]})
            held = locked.status in HOLDS_PLACE
            _close(enrolment=locked, to=SignupStatus.WITHDRAWN, reason=reason, actor=actor)
            if held:
                promote_waitlist(course=course, actor=actor)
        _tell_withdrawn(locked)
        return locked

    from sportsplatform.orders.domain.cancel import cancel_order

    token = closing_as.set((SignupStatus.WITHDRAWN, reason))
    try:
        cancel_order(order=order, actor=actor, reason=reason, full_refund=not by_student)
    finally:
        closing_as.reset(token)
    enrolment.refresh_from_db()
    if enrolment.status in ACTIVE:
        # The order had changed meanwhile (paid or closed between our read and cancel_order).
        raise Conflict(_("The enrolment changed meanwhile. Please look at it again."), code="enrolment_changed")
    _tell_withdrawn(enrolment)
    return enrolment


def _tell_withdrawn(enrolment: Enrolment) -> None:
    notify(
        user=enrolment.user,
        kind="training.enrolment.withdrawn",
        title=_("Enrolment withdrawn"),
        body=_("%(name)s is no longer enrolled in %(course)s.")
        % {"name": enrolment.student_name, "course": enrolment.course.title},
        link=_link(enrolment),
    )


# --- waiting list ----------------------------------------------------------------------------


def promote_waitlist(*, course: Course, actor=None, now: datetime | None = None) -> list[Enrolment]:
    """Give free places to the waiting list, first come first served, while the course is
    published and has not ended. Free courses confirm at once; paid ones get an order payable for
    COURSE_PROMOTION_HOLD_HOURS. Runs in (or opens) a transaction; the course row is locked."""
    now = now or timezone.now()
    promoted: list[Enrolment] = []
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if not locked.is_published or locked.ends_on < timezone.localdate(now):
            return promoted
        while True:
            nxt = (
                Enrolment.objects.select_for_update()
                .filter(course=locked, status=SignupStatus.WAITLISTED)
                .order_by("waitlisted_at", "id")
                .first()
            )
            if nxt is None or not take_place(Course, locked.pk):
                break
            check_signup_transition(nxt.status, SignupStatus.PENDING_PAYMENT)
            nxt.status = SignupStatus.PENDING_PAYMENT
            nxt.promoted_at = now
            nxt.order = _new_order(
                course=locked,
                user=nxt.user,
                student_name=nxt.student_name,
                expires_at=now + promotion_hold(),
                actor=actor,
            )
            nxt.save(update_fields=["status", "promoted_at", "order"])
            _settle_if_free(enrolment=nxt, actor=actor or nxt.user)
            audit.record(action="training.enrolment.promoted", actor=actor, obj=nxt, status=nxt.status)
            _tell_promoted(nxt)
            promoted.append(nxt)
    return promoted


def _tell_promoted(enrolment: Enrolment) -> None:
    if enrolment.status == SignupStatus.CONFIRMED:
        body = _("A place in %(course)s freed up: %(name)s is now enrolled.")
    else:
        body = _("A place in %(course)s freed up for %(name)s. Pay within %(hours)d hours to keep it.")
    notify(
        user=enrolment.user,
        kind="training.enrolment.promoted",
        title=_("A place for you"),
        body=body
        % {
            "course": enrolment.course.title,
            "name": enrolment.student_name,
            "hours": int(promotion_hold().total_seconds() // 3600),
        },
        link=_link(enrolment),
        channels=("sms",),
    )


# --- a cancelled course ----------------------------------------------------------------------


def cancel_all_enrolments(*, course: Course, actor, reason: str) -> int:
    """Close every active enrolment of a (cancelled) course: orders cancelled with a full refund,
    waitlisted ones cancelled. Each in its own transaction, providers asked outside locks.
    Returns how many were closed."""
    from sportsplatform.orders.domain.cancel import cancel_order

    closed = 0
    ids = list(Enrolment.objects.filter(course=course, status__in=ACTIVE).order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        enrolment = Enrolment.objects.select_related("order", "course").get(pk=pk)
        order = enrolment.order
        if (
            enrolment.status in HOLDS_PLACE
            and order is not None
            and order.status
            in (
                OrderStatus.PENDING_PAYMENT,
                OrderStatus.PAID,
            )
        ):
            token = closing_as.set((SignupStatus.CANCELLED, reason))
            try:
                cancel_order(order=order, actor=actor, reason=reason, full_refund=True)
            finally:
                closing_as.reset(token)
        else:
            with transaction.atomic():
                locked = Enrolment.objects.select_for_update().get(pk=pk)
                if locked.status not in ACTIVE:
                    continue
                _close(enrolment=locked, to=SignupStatus.CANCELLED, reason=reason, actor=actor)
        enrolment.refresh_from_db()
        if enrolment.status not in ACTIVE:
            closed += 1
            notify(
                user=enrolment.user,
                kind="training.course.cancelled",
                title=_("Course cancelled"),
                body=_("%(course)s is cancelled: %(reason)s. Anything you paid is refunded in full.")
                # The reason is the organiser's sentence; its own full stop would double ours.
                % {"course": course.title, "reason": reason.strip().rstrip("。.")},
                link=_link(enrolment),
                channels=("sms",),
            )
    return closed
