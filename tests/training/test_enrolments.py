"""Enrolling in courses: places, the waiting list and its promotion, withdrawal with refunds per the
course's tiers, age limits, cancelling a course, and the order's fate turned into the enrolment's."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from sportsplatform.booking.domain.tickets import check_in
from sportsplatform.booking.models import Ticket
from sportsplatform.core.errors import Conflict, IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.signups import SignupStatus
from sportsplatform.ledger.domain.posting import organiser_account
from sportsplatform.orders.domain.expiry import expire_order
from sportsplatform.orders.models import OrderKind, OrderStatus
from sportsplatform.training.domain.courses import cancel_course
from sportsplatform.training.domain.enrolments import enrol, promote_waitlist, withdraw_enrolment
from sportsplatform.training.models import Attendance, Course, Enrolment
from tests.events.factories import make_organiser
from tests.payments.helpers import overdue, pay_with_sandbox
from tests.support.accounts import make_public_user
from tests.training.factories import make_course

pytestmark = pytest.mark.django_db

_phones = count(13600000001)


def person(name: str = ""):
    return make_public_user(phone=str(next(_phones)), display_name=name)


def sign_up(course, user=None, **kwargs):
    user = user or person()
    return enrol(
        course=course,
        user=user,
        student_name=kwargs.pop("student_name", "王小明"),
        guardian_phone=kwargs.pop("guardian_phone", "13912345678"),
        **kwargs,
    )


def paid_up(course, capture, user=None, **kwargs):
    enrolment = sign_up(course, user, **kwargs)
    pay_with_sandbox(enrolment.order, capture)
    enrolment.refresh_from_db()
    return enrolment


def places_taken(course) -> int:
    return Course.objects.get(pk=course.pk).taken


# --- enrolling -------------------------------------------------------------------------------


def test_enrol_paid_course_holds_place_with_order_awaiting_payment():
    course = make_course(fee="35.00", quota=3)
    before = timezone.now()

    enrolment = sign_up(course)

    assert enrolment.status == SignupStatus.PENDING_PAYMENT
    order = enrolment.order
    assert order.kind == OrderKind.COURSE
    assert order.amount == Decimal("35.00")
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert before < order.expires_at <= timezone.now() + timedelta(minutes=16)
    assert order.lines.get().object_id == enrolment.pk
    assert places_taken(course) == 1


def test_enrol_free_course_confirms_at_once_with_paid_order_and_ticket():
    course = make_course(fee="0.00", quota=3)

    enrolment = sign_up(course)

    assert enrolment.status == SignupStatus.CONFIRMED
    assert enrolment.confirmed_at is not None
    assert enrolment.order.status == OrderStatus.PAID
    assert enrolment.order.amount == Decimal("0.00")
    assert Ticket.objects.filter(order=enrolment.order).exists()


def test_enrol_paid_course_confirmed_after_sandbox_payment_money_owed_to_organiser(
    django_capture_on_commit_callbacks,
):
    course = make_course(fee="120.00", quota=3)

    enrolment = paid_up(course, django_capture_on_commit_callbacks)

    assert enrolment.status == SignupStatus.CONFIRMED
    assert Ticket.objects.filter(order=enrolment.order).exists()
    assert organiser_account(course.organiser).balance == Decimal("120.00")


def test_enrol_full_course_goes_to_waitlist_without_order():
    course = make_course(fee="35.00", quota=1)
    sign_up(course)

    second = sign_up(course)

    assert second.status == SignupStatus.WAITLISTED
    assert second.order is None
    assert second.waitlisted_at is not None
    assert places_taken(course) == 1


def test_enrol_twice_same_person_refused_and_nothing_kept():
    course = make_course(fee="35.00", quota=5)
    user = person()
    sign_up(course, user)

    with pytest.raises(Conflict) as exc:
        sign_up(course, user)

    assert exc.value.code == "already_enrolled"
    assert Enrolment.objects.filter(course=course, user=user).count() == 1
    assert places_taken(course) == 1


def test_enrol_again_after_withdrawing_is_allowed():
    course = make_course(fee="0.00", quota=5)
    user = person()
    first = sign_up(course, user)
    withdraw_enrolment(enrolment=first, actor=user)

    second = sign_up(course, user)

    assert second.status == SignupStatus.CONFIRMED
    assert places_taken(course) == 1


def test_enrol_retry_with_same_idempotency_key_returns_first_enrolment():
    course = make_course(fee="35.00", quota=5)
    user = person()
    first = sign_up(course, user, idempotency_key="k-1")

    again = sign_up(course, user, idempotency_key="k-1")

    assert again.pk == first.pk
    assert Enrolment.objects.filter(user=user).count() == 1


def test_enrol_idempotency_key_of_another_course_refused():
    user = person()
    sign_up(make_course(fee="35.00"), user, idempotency_key="k-2")

    with pytest.raises(Conflict) as exc:
        sign_up(make_course(fee="35.00"), user, idempotency_key="k-2")

    assert exc.value.code == "idempotency_key_reused"


def test_enrol_closed_window_refused():
    course = make_course(enrol_open=False)

    with pytest.raises(Conflict) as exc:
        sign_up(course)

    assert exc.value.code == "enrolment_closed"
    assert not Enrolment.objects.filter(course=course).exists()


def test_enrol_unpublished_course_refused():
    course = make_course(status="submitted")

    with pytest.raises(Conflict):
        sign_up(course)


def test_enrol_cancelled_course_refused():
    course = make_course()
    Course.objects.filter(pk=course.pk).update(cancelled_at=timezone.now())

    with pytest.raises(Conflict):
        sign_up(course)


def test_enrol_anonymous_refused():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotPermitted):
        sign_up(make_course(), AnonymousUser())


def test_enrol_bad_input_names_each_field():
    course = make_course(min_age=6, max_age=12)

    with pytest.raises(ValidationFailed) as exc:
        sign_up(course, student_name="  ", guardian_phone="12345")

    assert set(exc.value.fields) == {"student_name", "student_birth_date", "guardian_phone"}
    assert places_taken(course) == 0


def test_enrol_too_young_for_course_refused():
    course = make_course(min_age=6)
    born = course.starts_on.replace(year=course.starts_on.year - 5)

    with pytest.raises(ValidationFailed) as exc:
        sign_up(course, student_birth_date=born)

    assert "student_birth_date" in exc.value.fields


def test_enrol_too_old_for_course_refused():
    course = make_course(max_age=12)

    with pytest.raises(ValidationFailed) as exc:
        sign_up(course, student_birth_date=date(2000, 1, 1))

    assert "student_birth_date" in exc.value.fields


def test_enrol_age_counted_on_first_day():
    course = make_course(min_age=6, max_age=12)
    six_on_first_day = course.starts_on.replace(year=course.starts_on.year - 6)

    enrolment = sign_up(course, student_birth_date=six_on_first_day)

    assert enrolment.student_birth_date == six_on_first_day


def test_enrol_birth_date_in_future_refused():
    with pytest.raises(ValidationFailed) as exc:
        sign_up(make_course(), student_birth_date=timezone.localdate() + timedelta(days=3))

    assert "student_birth_date" in exc.value.fields


def test_enrol_phone_normalised():
    enrolment = sign_up(make_course(), guardian_phone="+86 139-1234-5678")

    assert enrolment.guardian_phone == "13912345678"


# --- the waiting list ------------------------------------------------------------------------


def test_withdraw_free_enrolment_promotes_first_waitlisted_confirmed():
    course = make_course(fee="0.00", quota=1)
    first_user = person()
    first = sign_up(course, first_user)
    second = sign_up(course)
    third = sign_up(course)

    withdraw_enrolment(enrolment=first, actor=first_user)

    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == SignupStatus.CONFIRMED
    assert second.promoted_at is not None
    assert third.status == SignupStatus.WAITLISTED
    assert places_taken(course) == 1


def test_promotion_on_paid_course_gives_order_with_promotion_hold(settings, django_capture_on_commit_callbacks):
    settings.COURSE_PROMOTION_HOLD_HOURS = 24
    course = make_course(fee="50.00", quota=1)
    first_user = person()
    first = paid_up(course, django_capture_on_commit_callbacks, first_user)
    second = sign_up(course)

    withdraw_enrolment(enrolment=first, actor=first_user)

    second.refresh_from_db()
    assert second.status == SignupStatus.PENDING_PAYMENT
    assert second.order.amount == Decimal("50.00")
    hold = second.order.expires_at - timezone.now()
    assert timedelta(hours=23) < hold <= timedelta(hours=24)


def test_unpaid_order_expiring_frees_place_for_waitlist():
    course = make_course(fee="50.00", quota=1)
    first = sign_up(course)
    second = sign_up(course)

    expire_order(order_id=overdue(first.order).pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SignupStatus.EXPIRED
    assert second.status == SignupStatus.PENDING_PAYMENT
    assert places_taken(course) == 1


def test_promote_waitlist_with_no_free_place_promotes_nobody():
    course = make_course(fee="0.00", quota=1)
    sign_up(course)
    waiting = sign_up(course)

    assert promote_waitlist(course=course) == []
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.WAITLISTED


def test_promote_waitlist_after_quota_raised_fills_new_places_in_order():
    course = make_course(fee="0.00", quota=1)
    sign_up(course)
    a = sign_up(course)
    b = sign_up(course)
    Course.objects.filter(pk=course.pk).update(quota=2)

    promoted = promote_waitlist(course=course)

    assert [e.pk for e in promoted] == [a.pk]
    b.refresh_from_db()
    assert b.status == SignupStatus.WAITLISTED


# --- withdrawing -----------------------------------------------------------------------------


def test_withdraw_paid_enrolment_refunds_per_tiers(django_capture_on_commit_callbacks):
    # First session in 7 days = 168 h ahead: the 72 h tier applies (80 %).
    course = make_course(fee="100.00", refund_tiers=[{"hours_before": 72, "percent": 80}])
    user = person()
    enrolment = paid_up(course, django_capture_on_commit_callbacks, user)

    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = withdraw_enrolment(enrolment=enrolment, actor=user, reason="搬家了")

    assert withdrawn.status == SignupStatus.WITHDRAWN
    assert withdrawn.close_reason == "搬家了"
    order = withdrawn.order
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_amount == Decimal("80.00")
    assert places_taken(course) == 0
    assert Ticket.objects.get(order=order).revoked_at is not None


def test_withdraw_too_late_for_any_tier_gives_nothing_back(django_capture_on_commit_callbacks):
    course = make_course(fee="100.00", refund_tiers=[{"hours_before": 720, "percent": 100}])
    user = person()
    enrolment = paid_up(course, django_capture_on_commit_callbacks, user)

    withdrawn = withdraw_enrolment(enrolment=enrolment, actor=user)

    withdrawn.order.refresh_from_db()
    assert withdrawn.status == SignupStatus.WITHDRAWN
    assert withdrawn.order.status == OrderStatus.CANCELLED
    assert withdrawn.order.refunded_amount == Decimal("0.00")


def test_withdraw_by_organiser_refunds_in_full(django_capture_on_commit_callbacks):
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser, fee="100.00", refund_tiers=[])
    enrolment = paid_up(course, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = withdraw_enrolment(enrolment=enrolment, actor=staff)

    withdrawn.order.refresh_from_db()
    assert withdrawn.order.refunded_amount == Decimal("100.00")


def test_withdraw_unpaid_enrolment_cancels_order():
    course = make_course(fee="35.00")
    user = person()
    enrolment = sign_up(course, user)

    withdrawn = withdraw_enrolment(enrolment=enrolment, actor=user)

    withdrawn.order.refresh_from_db()
    assert withdrawn.status == SignupStatus.WITHDRAWN
    assert withdrawn.order.status == OrderStatus.CANCELLED
    assert places_taken(course) == 0


def test_withdraw_waitlisted_enrolment_leaves_list_only():
    course = make_course(fee="0.00", quota=1)
    sign_up(course)
    user = person()
    waiting = sign_up(course, user)

    withdrawn = withdraw_enrolment(enrolment=waiting, actor=user)

    assert withdrawn.status == SignupStatus.WITHDRAWN
    assert places_taken(course) == 1


def test_withdraw_someone_elses_enrolment_refused():
    course = make_course()
    enrolment = sign_up(course)

    with pytest.raises(NotPermitted):
        withdraw_enrolment(enrolment=enrolment, actor=person())

    enrolment.refresh_from_db()
    assert enrolment.status == SignupStatus.CONFIRMED


def test_withdraw_twice_refused():
    course = make_course()
    user = person()
    enrolment = sign_up(course, user)
    withdraw_enrolment(enrolment=enrolment, actor=user)

    with pytest.raises(IllegalTransition):
        withdraw_enrolment(enrolment=enrolment, actor=user)


# --- cancelling a course ---------------------------------------------------------------------


def test_cancel_course_refunds_everyone_in_full_and_closes_waitlist(django_capture_on_commit_callbacks):
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser, fee="80.00", quota=2, refund_tiers=[])
    paid = paid_up(course, django_capture_on_commit_callbacks)
    unpaid = sign_up(course)
    waiting = sign_up(course)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_course(course=course, actor=staff, reason="场馆维修")

    course.refresh_from_db()
    assert course.cancelled_at is not None
    for e in (paid, unpaid, waiting):
        e.refresh_from_db()
        assert e.status == SignupStatus.CANCELLED
    paid.order.refresh_from_db()
    assert paid.order.status == OrderStatus.REFUNDED
    assert paid.order.refunded_amount == Decimal("80.00")
    assert course.taken == 0
    assert not course.is_published


def test_cancel_course_without_reason_refused():
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser)

    with pytest.raises(ValidationFailed):
        cancel_course(course=course, actor=staff, reason=" ")


def test_cancel_course_by_other_organisation_refused():
    course = make_course()
    _other, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        cancel_course(course=course, actor=stranger, reason="x")


def test_cancel_course_already_started_refused():
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser)
    first = course.sessions.order_by("starts_at").first()
    first.starts_at = timezone.now() - timedelta(hours=1)
    first.ends_at = timezone.now() + timedelta(hours=1)
    first.save()

    with pytest.raises(Conflict) as exc:
        cancel_course(course=course, actor=staff, reason="x")

    assert exc.value.code == "course_started"


# --- tickets ---------------------------------------------------------------------------------


def test_check_in_by_organiser_marks_present_at_current_session():
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser)
    session = course.sessions.order_by("starts_at").first()
    session.starts_at = timezone.now() - timedelta(minutes=10)
    session.ends_at = timezone.now() + timedelta(minutes=80)
    session.save()
    enrolment = sign_up(course)
    ticket = Ticket.objects.get(order=enrolment.order)

    check_in(code_or_token=ticket.code, actor=staff)

    assert Attendance.objects.get(session=session, enrolment=enrolment).present is True


def test_check_in_by_stranger_refused():
    course = make_course()
    enrolment = sign_up(course)
    ticket = Ticket.objects.get(order=enrolment.order)
    _other, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        check_in(code_or_token=ticket.code, actor=stranger)


def test_buyer_cancelling_the_order_itself_withdraws_and_promotes(django_capture_on_commit_callbacks):
    from sportsplatform.orders.domain.cancel import cancel_order

    course = make_course(fee="60.00", quota=1, refund_tiers=[{"hours_before": 24, "percent": 100}])
    user = person()
    first = paid_up(course, django_capture_on_commit_callbacks, user)
    waiting = sign_up(course)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=first.order, actor=user, reason="不去了")

    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.status == SignupStatus.WITHDRAWN
    assert first.order.status == OrderStatus.REFUNDED
    assert waiting.status == SignupStatus.PENDING_PAYMENT
    assert places_taken(course) == 1


def _lapse(enrolment):
    """The hold lapsed while a payment was still open at the provider (the sweep had not closed it)."""
    from sportsplatform.orders.models import Order
    from sportsplatform.training.domain.enrolments import release_order

    Order.objects.filter(pk=enrolment.order_id).update(
        status=OrderStatus.EXPIRED, expires_at=timezone.now() - timedelta(minutes=1)
    )
    release_order(order=Order.objects.get(pk=enrolment.order_id))
    enrolment.refresh_from_db()


def test_late_payment_with_place_still_free_confirms_enrolment(django_capture_on_commit_callbacks):
    from tests.payments.helpers import start_sandbox, tap_confirm

    course = make_course(fee="40.00", quota=1)
    enrolment = sign_up(course)
    payment = start_sandbox(enrolment.order)
    _lapse(enrolment)
    assert enrolment.status == SignupStatus.EXPIRED
    assert places_taken(course) == 0

    with django_capture_on_commit_callbacks(execute=True):
        tap_confirm(payment)

    enrolment.refresh_from_db()
    assert enrolment.status == SignupStatus.CONFIRMED
    assert enrolment.order.status == OrderStatus.PAID
    assert places_taken(course) == 1
    assert Ticket.objects.filter(order=enrolment.order).exists()


def test_late_payment_after_place_given_away_is_refunded(django_capture_on_commit_callbacks):
    from sportsplatform.payments.models import PaymentStatus
    from tests.payments.helpers import start_sandbox, tap_confirm

    course = make_course(fee="40.00", quota=1)
    enrolment = sign_up(course)
    waiting = sign_up(course)
    payment = start_sandbox(enrolment.order)
    _lapse(enrolment)
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.PENDING_PAYMENT

    with django_capture_on_commit_callbacks(execute=True):
        tap_confirm(payment)

    enrolment.refresh_from_db()
    payment.refresh_from_db()
    assert enrolment.status == SignupStatus.EXPIRED
    assert payment.status == PaymentStatus.UNMATCHED
    assert places_taken(course) == 1
