"""Public event pages: list with filters, detail, sign-up (paid → pay, free → confirmed, full →
waiting list), my events, withdraw with the refund quote, and the organiser's check-in desk."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.booking.models import Ticket
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.domain.registrations import register
from sportsplatform.events.models import EntryMode, Event, EventGroup, FieldKind, Registration
from sportsplatform.orders.models import Order, OrderStatus
from sportsplatform.payments.domain.pay import start_payment
from sportsplatform.venues.models import Sport
from tests.support.accounts import make_public_user, session_cookie_for
from tests.support.queries import assert_same_query_count

from .factories import add_field, make_event, make_organiser, valid_id_number

pytestmark = pytest.mark.django_db

_phones = iter(range(13700000000, 13799999999))


def new_user():
    return make_public_user(phone=str(next(_phones)))


def signed_up(event, user, *, name="张三", answers=None, group=None):
    return register(
        event=event,
        group=group or event.groups.first(),
        user=user,
        participant_name=name,
        answers=answers or {},
        actor=user,
    )


def pay_with_sandbox(order, django_capture_on_commit_callbacks):
    payment = start_payment(order=order, method="sandbox", actor=order.user)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(payment.params["pay_url"])
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_published_events_only(client):
    published = make_event(title="成都市民马拉松")
    make_event(title="草稿中的赛事", status=ApprovalStatus.DRAFT)
    make_event(title="审核中的赛事", status=ApprovalStatus.SUBMITTED)
    cancelled = make_event(title="已取消的赛事")
    Event.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now(), cancel_reason="天气")

    response = client.get(reverse("events:list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert published.title in body
    assert "草稿中的赛事" not in body and "审核中的赛事" not in body and "已取消的赛事" not in body
    assert reverse("events:detail", args=[published.pk]) in body


def test_list_filters_by_sport_fee_and_open_for_sign_up(client):
    Sport.objects.get_or_create(code="badminton", defaults={"name": "羽毛球", "name_en": "Badminton", "order": 0})
    make_event(title="免费田径赛", sport="athletics")
    make_event(title="收费田径赛", sport="athletics", fee="50.00")
    make_event(title="羽毛球公开赛", sport="badminton")
    make_event(title="尚未开放报名", sport="athletics", registration_open=False)

    by_sport = client.get(reverse("events:list"), {"sport": "badminton"}).content.decode()
    paid = client.get(reverse("events:list"), {"fee": "paid"}).content.decode()
    free_open = client.get(reverse("events:list"), {"fee": "free", "open_only": "on"}).content.decode()

    assert "羽毛球公开赛" in by_sport and "免费田径赛" not in by_sport
    assert "收费田径赛" in paid and "免费田径赛" not in paid and "羽毛球公开赛" not in paid
    assert "免费田径赛" in free_open and "羽毛球公开赛" in free_open
    assert "尚未开放报名" not in free_open and "收费田径赛" not in free_open


def test_list_filters_by_city_and_county(client):
    make_event(title="武侯区的赛事", region_code="510107")
    make_event(title="涪城区的赛事", region_code="510703")

    chengdu = client.get(reverse("events:list"), {"city": "510100"})
    mianyang_county = client.get(reverse("events:list"), {"city": "510700", "county": "510703"})

    assert "武侯区的赛事" in chengdu.content.decode() and "涪城区的赛事" not in chengdu.content.decode()
    assert "涪城区的赛事" in mianyang_county.content.decode()
    assert "武侯区的赛事" not in mianyang_county.content.decode()
    # The county select offers the chosen city's counties.
    assert 'value="510703"' in mianyang_county.content.decode()


def test_list_filters_by_date_range(client):
    make_event(title="两周后的赛事", starts_in_days=14)
    make_event(title="两个月后的赛事", starts_in_days=60)
    today = timezone.localdate()

    response = client.get(
        reverse("events:list"),
        {"date_from": (today + timedelta(days=50)).isoformat(), "date_to": (today + timedelta(days=70)).isoformat()},
    )

    body = response.content.decode()
    assert "两个月后的赛事" in body and "两周后的赛事" not in body


def test_list_with_a_bad_filter_value_ignores_it_and_says_so(client):
    make_event(title="照常显示的赛事")

    response = client.get(reverse("events:list"), {"date_from": "not-a-date", "fee": "gratis"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "照常显示的赛事" in body
    assert "notice-warning" in body


def test_list_without_events_shows_the_empty_state(client):
    response = client.get(reverse("events:list"))

    assert response.status_code == 200
    assert 'class="empty"' in response.content.decode()


def test_list_badge_says_places_left_waiting_list_or_not_yet_open(client):
    open_event = make_event(title="有名额的赛事", quota=5)
    full = make_event(title="满员的赛事", quota=1)
    EventGroup.objects.filter(event=full).update(taken=1)
    make_event(title="未开放的赛事", registration_open=False)

    body = client.get(reverse("events:list")).content.decode()

    assert re.search(r'data-signup-state="open"[^>]*>[^<]*5', body)
    assert 'data-signup-state="waitlist"' in body
    assert 'data-signup-state="not_yet"' in body
    assert open_event.title in body


def test_list_pages_have_no_n_plus_one(client):
    def make_rows(n):
        for _ in range(n):
            make_event(groups=(("男子组", 10), ("女子组", 10)))

    assert_same_query_count(client, reverse("events:list"), make_rows, large=12)


# --- detail --------------------------------------------------------------------------------------


def test_detail_shows_groups_places_organiser_and_sign_up_button(client):
    event = make_event(title="锦江绿道跑", fee="30.00", groups=(("10公里", 100), ("5公里", 50)))
    EventGroup.objects.filter(event=event, name="5公里").update(taken=50)
    event.refund_tiers = [{"hours_before": 72, "percent": 100}]
    event.rules = "按照中国田径协会规则执行。"
    event.save()

    response = client.get(reverse("events:detail", args=[event.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "锦江绿道跑" in body and "10公里" in body and "5公里" in body
    assert "100 / 100" in body
    assert event.organiser.name in body and event.contact_phone in body
    assert "按照中国田径协会规则执行" in body
    assert "¥30.00" in body
    assert reverse("events:register", args=[event.pk]) in body


def test_detail_links_the_venue(client):
    from tests.venues.factories import make_venue

    venue = make_venue(name="四川省体育馆")
    event = make_event(venue=venue)

    body = client.get(reverse("events:detail", args=[event.pk])).content.decode()

    assert reverse("venues:detail", args=[venue.pk]) in body
    assert "uri.amap.com" in body


@pytest.mark.parametrize("status", [ApprovalStatus.DRAFT, ApprovalStatus.SUBMITTED, ApprovalStatus.REJECTED])
def test_detail_of_an_unpublished_event_is_404(client, status):
    event = make_event(status=status)

    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404


def test_detail_before_the_window_says_when_sign_up_opens(client):
    event = make_event(registration_open=False)

    body = client.get(reverse("events:detail", args=[event.pk])).content.decode()

    assert 'data-signup-state="not_yet"' in body
    assert reverse("events:register", args=[event.pk]) not in body


# --- sign-up -------------------------------------------------------------------------------------


def test_register_needs_a_login(client):
    event = make_event()

    response = client.get(reverse("events:register", args=[event.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_register_form_renders_each_question_by_kind(client):
    event = make_event()
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    add_field(event, key="phone", label="手机号", kind=FieldKind.PHONE)
    add_field(event, key="birthday", label="出生日期", kind=FieldKind.DATE, required=False)
    add_field(event, key="size", label="T恤尺码", kind=FieldKind.CHOICE, choices=["S", "M", "L"])
    add_field(event, key="sos", label="紧急联系人", kind=FieldKind.EMERGENCY_CONTACT)
    client.force_login(new_user())

    body = client.get(reverse("events:register", args=[event.pk])).content.decode()

    assert 'name="q_id_number"' in body
    assert re.search(r'type="tel"[^>]*name="q_phone"|name="q_phone"[^>]*type="tel"', body)
    assert re.search(r'type="date"[^>]*name="q_birthday"|name="q_birthday"[^>]*type="date"', body)
    assert '<option value="M">M</option>' in body
    assert 'name="q_sos_name"' in body and 'name="q_sos_phone"' in body


def test_register_paid_event_goes_to_the_payment_page(client):
    event = make_event(fee="80.00")
    user = new_user()
    client.force_login(user)

    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"group": event.groups.first().pk, "participant_name": "李四"},
    )

    registration = Registration.objects.get(user=user)
    assert registration.status == SignupStatus.PENDING_PAYMENT
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:pay", args=[registration.order_id])


def test_register_free_event_is_confirmed_with_a_ticket(client):
    event = make_event()
    user = new_user()
    client.force_login(user)

    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"group": event.groups.first().pk, "participant_name": "李四"},
        follow=True,
    )

    registration = Registration.objects.get(user=user)
    assert registration.status == SignupStatus.CONFIRMED
    assert response.redirect_chain[-1][0] == reverse("events:registration", args=[registration.pk])
    assert reverse("orders:ticket", args=[registration.order_id]) in response.content.decode()


def test_register_when_full_lands_on_the_waiting_list_with_its_position(client):
    event = make_event(quota=1)
    signed_up(event, new_user())
    signed_up(event, new_user(), name="排队一号")
    user = new_user()
    client.force_login(user)

    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"group": event.groups.first().pk, "participant_name": "王五"},
        follow=True,
    )

    registration = Registration.objects.get(user=user)
    assert registration.status == SignupStatus.WAITLISTED
    body = response.content.decode()
    assert "data-waitlist-position" in body
    assert re.search(r"data-waitlist-position>[^<]*2", body)


def test_register_with_a_wrong_id_number_shows_the_error_and_keeps_the_answers(client):
    event = make_event()
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    add_field(event, key="sos", label="紧急联系人", kind=FieldKind.EMERGENCY_CONTACT)
    user = new_user()
    client.force_login(user)
    wrong = valid_id_number()[:-1] + ("0" if valid_id_number()[-1] != "0" else "1")

    response = client.post(
        reverse("events:register", args=[event.pk]),
        {
            "group": event.groups.first().pk,
            "participant_name": "赵六",
            "q_id_number": wrong,
            "q_sos_name": "赵父",
            "q_sos_phone": "123",
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert not Registration.objects.filter(user=user).exists()
    assert 'data-field-error="q_id_number"' in body
    assert 'data-field-error="q_sos_name"' in body
    assert f'value="{wrong}"' in body and 'value="赵六"' in body and 'value="赵父"' in body


def test_register_outside_the_age_group_names_the_id_number(client):
    event = make_event(groups=(("少年组", 10),))
    EventGroup.objects.filter(event=event).update(max_age=12)
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    user = new_user()
    client.force_login(user)

    response = client.post(
        reverse("events:register", args=[event.pk]),
        {"group": event.groups.first().pk, "participant_name": "成年人", "q_id_number": valid_id_number("19800101")},
    )

    assert response.status_code == 400
    assert 'data-field-error="q_id_number"' in response.content.decode()
    assert not Registration.objects.filter(user=user).exists()


def test_register_team_event_sends_team_name_and_members(client):
    event = make_event(entry_mode=EntryMode.TEAM)
    EventGroup.objects.filter(event=event).update(team_min=2, team_max=3)
    add_field(event, key="phone", label="手机号", kind=FieldKind.PHONE, per_member=True)
    user = new_user()
    client.force_login(user)

    missing_member = client.post(
        reverse("events:register", args=[event.pk]),
        {"group": event.groups.first().pk, "participant_name": "队长", "team_name": "飞鹰队", "q_phone": "13800000001"},
    )
    response = client.post(
        reverse("events:register", args=[event.pk]),
        {
            "group": event.groups.first().pk,
            "participant_name": "队长",
            "team_name": "飞鹰队",
            "q_phone": "13800000001",
            "m1_name": "队员甲",
            "m1_q_phone": "13800000002",
        },
    )

    assert missing_member.status_code == 400
    assert response.status_code == 302
    registration = Registration.objects.get(user=user)
    assert registration.team_name == "飞鹰队"
    assert registration.members == [{"name": "队员甲", "answers": {"phone": "13800000002"}}]


def test_register_twice_goes_to_the_existing_sign_up(client):
    event = make_event()
    user = new_user()
    registration = signed_up(event, user)
    client.force_login(user)

    response = client.get(reverse("events:register", args=[event.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("events:registration", args=[registration.pk])


def test_register_before_the_window_shows_no_form(client):
    event = make_event(registration_open=False)
    client.force_login(new_user())

    response = client.post(
        reverse("events:register", args=[event.pk]), {"group": event.groups.first().pk, "participant_name": "x"}
    )

    assert response.status_code == 400
    assert not Registration.objects.exists()
    assert '<form method="post" class="ev-register' not in response.content.decode()


# --- my events and withdrawing -------------------------------------------------------------------


def test_mine_shows_pay_link_ticket_link_and_waiting_position(client, django_capture_on_commit_callbacks):
    user = new_user()
    paid = signed_up(make_event(title="已付款赛事", fee="20.00"), user)
    pay_with_sandbox(paid.order, django_capture_on_commit_callbacks)
    pending = signed_up(make_event(title="待付款赛事", fee="20.00"), user)
    full = make_event(title="满员赛事", quota=1)
    signed_up(full, new_user())
    waiting = signed_up(full, user)
    client.force_login(user)

    body = client.get(reverse("events:mine")).content.decode()

    assert reverse("orders:pay", args=[pending.order_id]) in body
    assert reverse("orders:ticket", args=[paid.order_id]) in body
    assert waiting.status == SignupStatus.WAITLISTED
    assert 'data-status="waitlisted"' in body and "data-waitlist-position" in body
    assert reverse("events:withdraw", args=[paid.pk]) in body


def test_mine_shows_only_my_sign_ups(client):
    mine = signed_up(make_event(title="我的赛事"), user := new_user())
    signed_up(make_event(title="别人的赛事"), new_user())
    client.force_login(user)

    body = client.get(reverse("events:mine")).content.decode()

    assert "我的赛事" in body and "别人的赛事" not in body
    assert reverse("events:registration", args=[mine.pk]) in body


def test_mine_has_no_n_plus_one(client):
    user = new_user()
    client.force_login(user)

    def make_rows(n):
        for _ in range(n):
            signed_up(make_event(fee="10.00"), user)

    assert_same_query_count(client, reverse("events:mine"), make_rows, large=8)


def test_someone_elses_registration_is_404(client):
    registration = signed_up(make_event(), new_user())
    client.force_login(new_user())

    assert client.get(reverse("events:registration", args=[registration.pk])).status_code == 404
    assert client.post(reverse("events:withdraw", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == SignupStatus.CONFIRMED


def test_withdraw_shows_the_refund_quote_then_refunds_and_promotes(client, django_capture_on_commit_callbacks):
    event = make_event(fee="60.00", quota=1)
    event.refund_tiers = [{"hours_before": 72, "percent": 100}, {"hours_before": 0, "percent": 50}]
    event.save()
    user = new_user()
    first = signed_up(event, user)
    pay_with_sandbox(first.order, django_capture_on_commit_callbacks)
    second = signed_up(event, new_user(), name="候补")
    client.force_login(user)

    page = client.get(reverse("events:withdraw", args=[first.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:withdraw", args=[first.pk]), {"reason": "临时有事"}, follow=True)

    assert 'data-refund-amount="60.00"' in page.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SignupStatus.WITHDRAWN
    assert second.status == SignupStatus.PENDING_PAYMENT and second.order_id
    assert response.redirect_chain[-1][0] == reverse("events:mine")
    assert "60.00" in response.content.decode()


def test_withdraw_from_the_waiting_list_refunds_nothing(client):
    event = make_event(quota=1)
    signed_up(event, new_user())
    user = new_user()
    waiting = signed_up(event, user)
    client.force_login(user)

    page = client.get(reverse("events:withdraw", args=[waiting.pk]))
    client.post(reverse("events:withdraw", args=[waiting.pk]))

    assert "data-refund-amount" not in page.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.WITHDRAWN


# --- the organiser's check-in desk ---------------------------------------------------------------


def _staff_client(user) -> Client:
    client = Client()
    cookie = session_cookie_for(user)
    client.cookies[cookie["name"]] = cookie["value"]
    return client


def _move_to_start_in_an_hour(event):
    starts = timezone.now() + timedelta(hours=1)
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        registration_opens_at=starts - timedelta(days=10),
        registration_closes_at=starts - timedelta(minutes=30),
    )


def test_checkin_desk_checks_a_ticket_in_and_counts(client):
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser)
    registration = signed_up(event, new_user(), name="参赛者甲")
    signed_up(event, new_user(), name="参赛者乙")
    _move_to_start_in_an_hour(event)
    ticket = Ticket.objects.get(order_id=registration.order_id)
    desk = _staff_client(staff)
    url = reverse("events:checkin", args=[event.pk])

    before = desk.get(url)
    first = desk.post(url, {"code": ticket.code})
    again = desk.post(url, {"code": ticket.code})

    assert before.status_code == 200
    assert 'data-checked-in="0" data-total="2"' in before.content.decode()
    assert first.status_code == 200
    assert 'data-checked-in="1" data-total="2"' in first.content.decode()
    assert "参赛者甲" in first.content.decode()
    assert again.status_code == 409
    ticket.refresh_from_db()
    assert ticket.used_at is not None


def test_checkin_desk_refuses_a_ticket_of_another_event():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser)
    other = make_event(organiser=organiser)
    foreign = signed_up(other, new_user())
    _move_to_start_in_an_hour(event)
    _move_to_start_in_an_hour(other)
    ticket = Ticket.objects.get(order_id=foreign.order_id)

    response = _staff_client(staff).post(reverse("events:checkin", args=[event.pk]), {"code": ticket.code})

    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.used_at is None


def test_checkin_desk_of_another_organisers_event_is_404():
    _organiser, staff = make_organiser()
    event = make_event()

    response = _staff_client(staff).get(reverse("events:checkin", args=[event.pk]))

    assert response.status_code == 404


def test_checkin_desk_is_not_for_the_public(client):
    event = make_event()
    client.force_login(new_user())

    response = client.get(reverse("events:checkin", args=[event.pk]))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_detail_links_the_check_in_desk_for_the_organisers_staff_only(client):
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser)
    desk_url = reverse("events:checkin", args=[event.pk])
    client.force_login(new_user())

    staff_page = _staff_client(staff).get(reverse("events:detail", args=[event.pk])).content.decode()
    public_page = client.get(reverse("events:detail", args=[event.pk])).content.decode()

    assert desk_url in staff_page
    assert desk_url not in public_page


def test_mine_offers_no_pay_link_once_the_time_to_pay_is_up(client):
    user = new_user()
    registration = signed_up(make_event(fee="20.00"), user)
    Order.objects.filter(pk=registration.order_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(user)

    body = client.get(reverse("events:mine")).content.decode()

    assert reverse("orders:pay", args=[registration.order_id]) not in body
    assert 'data-status="pending_payment"' in body


def test_detail_of_a_group_whose_waiting_list_is_full_offers_no_sign_up(client):
    event = make_event(quota=1)
    EventGroup.objects.filter(event=event).update(waitlist_limit=1)
    signed_up(event, new_user())
    signed_up(event, new_user())

    body = client.get(reverse("events:detail", args=[event.pk])).content.decode()

    assert 'data-signup-state="full"' in body
    assert reverse("events:register", args=[event.pk]) not in body
