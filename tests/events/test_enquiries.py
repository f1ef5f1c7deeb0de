"""Enquiries to venue operators (events.domain.enquiries), the sender's pages and the operators'
inbox in the back office."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation, create_user, grant_membership
from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.core.errors import Conflict, IllegalTransition, NotPermitted, RateLimited, ValidationFailed
from sportsplatform.events.domain import enquiries
from sportsplatform.events.domain.enquiries import close_enquiry, reply_enquiry, send_enquiry
from sportsplatform.events.models import EnquiryStatus, VenueEnquiry
from sportsplatform.notifications.models import Notification
from sportsplatform.venues.models import Sport
from tests.support.accounts import STAFF_PASSWORD, ensure_regions, make_official, make_public_user
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_court, make_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_org():
    regions = ensure_regions()
    return create_organisation(name="武侯场馆运营公司", kind=OrganisationKind.OPERATOR, region=regions["510107"])


@pytest.fixture
def operator_staff(operator_org):
    user = create_user(username="venue_staff", password=STAFF_PASSWORD, display_name="场馆前台")
    grant_membership(user=user, organisation=operator_org)
    return user


@pytest.fixture
def venue(operator_org):
    venue = make_venue(name="武侯体育馆", sports=("badminton",), capacity=600, operator=operator_org)
    make_court(venue)
    return venue


@pytest.fixture
def sender():
    return make_public_user(phone="13800000001", display_name="赛事组织者")


def _send(*, sender, venue, **changes):
    values = {
        "sender": sender,
        "venue": venue,
        "sport": Sport.objects.get(code="badminton"),
        "starts_on": timezone.localdate() + timedelta(days=30),
        "ends_on": timezone.localdate() + timedelta(days=31),
        "participants": 200,
        "budget": Decimal("5000"),
        "message": "想在贵馆举办全民健身羽毛球赛，需要全部场地两天。",
        "contact_phone": "138 0000 0001",
    }
    values.update(changes)
    if values["ends_on"] is None:  # a one-day event
        values["ends_on"] = values["starts_on"]
    return send_enquiry(**values)


# --- sending ---------------------------------------------------------------------------------


def test_send_enquiry_stores_it_and_tells_the_operator_staff(
    sender, venue, operator_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enquiry = _send(sender=sender, venue=venue)

    assert enquiry.status == EnquiryStatus.SENT
    assert enquiry.contact_phone == "13800000001"
    note = Notification.objects.get(user=operator_staff)
    assert note.kind == "events.enquiry.received"
    assert "武侯体育馆" in note.title
    assert note.link == f"/admin/events/venueenquiry/{enquiry.pk}/change/"
    assert LogEntry.objects.filter(additional_data__action="events.enquiry.sent", object_pk=str(enquiry.pk)).exists()


def test_send_enquiry_for_an_organisation_the_sender_works_for(venue, django_capture_on_commit_callbacks):
    regions = ensure_regions()
    association = create_organisation(
        name="成都羽毛球协会", kind=OrganisationKind.INSTITUTION, region=regions["510107"]
    )
    staff = create_user(username="assoc", password=STAFF_PASSWORD, display_name="协会秘书")
    grant_membership(user=staff, organisation=association)

    enquiry = _send(sender=staff, venue=venue, organisation=association)

    assert enquiry.organisation == association
    assert enquiries.sender_organisations(staff) == [association]


def test_send_enquiry_for_someone_elses_organisation_is_refused(sender, venue, operator_org):
    with pytest.raises(NotPermitted):
        _send(sender=sender, venue=venue, organisation=operator_org)

    assert not VenueEnquiry.objects.exists()


def test_send_enquiry_bad_input_names_each_field_and_stores_nothing(sender, venue):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as caught:
        _send(
            sender=sender,
            venue=venue,
            message="  ",
            contact_phone="12345",
            starts_on=today - timedelta(days=1),
            ends_on=today - timedelta(days=2),
            participants=0,
            budget=Decimal("-5"),
        )

    assert set(caught.value.fields) == {"message", "contact_phone", "starts_on", "ends_on", "participants", "budget"}
    assert not VenueEnquiry.objects.exists()


def test_send_enquiry_accepts_a_landline(sender, venue):
    enquiry = _send(sender=sender, venue=venue, contact_phone="028-85551234")

    assert enquiry.contact_phone == "02885551234"  # normalised like mobiles: no spaces or dashes


def test_send_enquiry_to_a_venue_without_operator_is_refused(sender):
    venue = make_venue(name="无运营方", sports=("badminton",))

    with pytest.raises(ValidationFailed) as caught:
        _send(sender=sender, venue=venue)

    assert "venue" in caught.value.fields


def test_send_enquiry_twice_for_the_same_dates_is_a_conflict(sender, venue):
    _send(sender=sender, venue=venue)

    with pytest.raises(Conflict):
        _send(sender=sender, venue=venue)

    assert VenueEnquiry.objects.count() == 1


def test_send_enquiry_after_the_first_is_closed_is_allowed(sender, venue):
    first = _send(sender=sender, venue=venue)
    close_enquiry(enquiry=first, actor=sender)

    second = _send(sender=sender, venue=venue)

    assert second.pk != first.pk


def test_send_enquiry_over_the_daily_limit_is_refused(sender, venue):
    for i in range(enquiries.DAILY_LIMIT):
        _send(sender=sender, venue=venue, starts_on=timezone.localdate() + timedelta(days=10 + i), ends_on=None)

    with pytest.raises(RateLimited):
        _send(sender=sender, venue=venue, starts_on=timezone.localdate() + timedelta(days=60), ends_on=None)

    assert VenueEnquiry.objects.count() == enquiries.DAILY_LIMIT


def test_send_enquiry_limit_counts_only_the_last_24_hours(sender, venue):
    for i in range(enquiries.DAILY_LIMIT):
        _send(sender=sender, venue=venue, starts_on=timezone.localdate() + timedelta(days=10 + i), ends_on=None)
    VenueEnquiry.objects.update(created_at=timezone.now() - timedelta(hours=25))

    _send(sender=sender, venue=venue, starts_on=timezone.localdate() + timedelta(days=60), ends_on=None)

    assert VenueEnquiry.objects.count() == enquiries.DAILY_LIMIT + 1


# --- answering and closing -------------------------------------------------------------------


def test_reply_enquiry_by_operator_staff_tells_the_sender(
    sender, venue, operator_staff, django_capture_on_commit_callbacks
):
    enquiry = _send(sender=sender, venue=venue)

    with django_capture_on_commit_callbacks(execute=True):
        reply_enquiry(enquiry=enquiry, actor=operator_staff, reply="6月可以，全馆每天 8000 元。")

    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.REPLIED
    assert enquiry.replied_by == operator_staff
    assert enquiry.replied_at is not None
    note = Notification.objects.get(user=sender)
    assert note.kind == "events.enquiry.replied"
    assert note.link == "/events/enquiries/"


def test_reply_enquiry_again_replaces_the_answer(sender, venue, operator_staff):
    enquiry = _send(sender=sender, venue=venue)
    reply_enquiry(enquiry=enquiry, actor=operator_staff, reply="第一次回复")

    reply_enquiry(enquiry=enquiry, actor=operator_staff, reply="更正：每天 7000 元")

    enquiry.refresh_from_db()
    assert enquiry.reply == "更正：每天 7000 元"


def test_reply_enquiry_by_another_operator_or_a_bureau_is_refused(sender, venue):
    enquiry = _send(sender=sender, venue=venue)
    regions = ensure_regions()
    other = create_organisation(name="别家运营公司", kind=OrganisationKind.OPERATOR, region=regions["510107"])
    other_staff = create_user(username="other_staff", password=STAFF_PASSWORD)
    grant_membership(user=other_staff, organisation=other)
    official = make_official(region_code="510107")

    for actor in (other_staff, official, sender):
        with pytest.raises(NotPermitted):
            reply_enquiry(enquiry=enquiry, actor=actor, reply="可以")

    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.SENT and enquiry.reply == ""


def test_reply_enquiry_empty_is_refused(sender, venue, operator_staff):
    enquiry = _send(sender=sender, venue=venue)

    with pytest.raises(ValidationFailed) as caught:
        reply_enquiry(enquiry=enquiry, actor=operator_staff, reply="   ")

    assert "reply" in caught.value.fields


def test_closed_enquiry_cannot_be_answered_or_closed_again(sender, venue, operator_staff):
    enquiry = _send(sender=sender, venue=venue)
    close_enquiry(enquiry=enquiry, actor=sender)

    with pytest.raises(IllegalTransition):
        reply_enquiry(enquiry=enquiry, actor=operator_staff, reply="可以")
    with pytest.raises(IllegalTransition):
        close_enquiry(enquiry=enquiry, actor=operator_staff)


def test_close_enquiry_by_a_stranger_is_refused(sender, venue):
    enquiry = _send(sender=sender, venue=venue)

    with pytest.raises(NotPermitted):
        close_enquiry(enquiry=enquiry, actor=make_public_user(phone="13800000009"))


# --- the sender's pages ----------------------------------------------------------------------


def test_enquire_page_is_prefilled_from_the_finder(client, sender, venue):
    client.force_login(sender)

    response = client.get(f"/events/find-venue/{venue.pk}/enquire/?sport=badminton&participants=300&budget=4000")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["participants"] == "300"
    assert form.initial["contact_phone"] == "13800000001"
    assert "organisation" not in form.fields


def test_enquire_page_sends_and_goes_to_the_enquiries(client, sender, venue):
    client.force_login(sender)
    day = timezone.localdate() + timedelta(days=20)

    response = client.post(
        f"/events/find-venue/{venue.pk}/enquire/",
        {
            "sport": "badminton",
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "participants": "120",
            "contact_phone": "13800000001",
            "message": "请问 6 月能否租用全部羽毛球场？",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/events/enquiries/"
    enquiry = VenueEnquiry.objects.get()
    assert enquiry.sender == sender and enquiry.participants == 120


def test_enquire_page_shows_the_domain_errors_on_the_fields(client, sender, venue):
    client.force_login(sender)
    day = timezone.localdate() + timedelta(days=20)

    response = client.post(
        f"/events/find-venue/{venue.pk}/enquire/",
        {
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "participants": "120",
            "contact_phone": "999",
            "message": "你好",
        },
    )

    assert response.status_code == 400
    assert "contact_phone" in response.context["form"].errors
    assert not VenueEnquiry.objects.exists()


def test_enquire_page_of_an_unpublished_venue_is_not_found(client, sender, operator_org):
    venue = make_venue(is_published=False, operator=operator_org)
    client.force_login(sender)

    assert client.get(f"/events/find-venue/{venue.pk}/enquire/").status_code == 404


def test_enquiries_page_shows_the_answer(client, sender, venue, operator_staff):
    enquiry = _send(sender=sender, venue=venue)
    reply_enquiry(enquiry=enquiry, actor=operator_staff, reply="可以，请来电 028-85551234 详谈。")
    client.force_login(sender)

    response = client.get("/events/enquiries/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "武侯体育馆" in html
    assert "请来电 028-85551234 详谈" in html


def test_enquiries_page_lists_only_the_senders_own(client, sender, venue):
    _send(sender=sender, venue=venue)
    other = make_public_user(phone="13800000002")
    client.force_login(other)

    response = client.get("/events/enquiries/")

    assert response.context["enquiries"] == []


def test_enquiries_page_has_no_n_plus_one(client, sender, operator_org):
    client.force_login(sender)
    count = {"n": 0}

    def make_rows(n):
        for _ in range(n):
            count["n"] += 1
            venue = make_venue(name=f"馆{count['n']}", sports=("badminton",), operator=operator_org)
            enquiry = _send(sender=sender, venue=venue)
            # Older than a day, so the daily limit does not stop the test at 10.
            VenueEnquiry.objects.filter(pk=enquiry.pk).update(created_at=timezone.now() - timedelta(days=2))

    assert_same_query_count(client, "/events/enquiries/", make_rows)


def test_close_page_closes_own_enquiry_and_hides_others(client, sender, venue):
    enquiry = _send(sender=sender, venue=venue)
    other = make_public_user(phone="13800000002")
    client.force_login(other)
    assert client.post(f"/events/enquiries/{enquiry.pk}/close/").status_code == 404

    client.force_login(sender)
    response = client.post(f"/events/enquiries/{enquiry.pk}/close/")

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CLOSED


# --- the operators' inbox --------------------------------------------------------------------


def test_admin_inbox_shows_the_operator_only_its_venues_enquiries(client, sender, venue, operator_staff):
    mine = _send(sender=sender, venue=venue)
    regions = ensure_regions()
    other_org = create_organisation(name="别家运营公司", kind=OrganisationKind.OPERATOR, region=regions["510104"])
    other_venue = make_venue(name="锦江别家馆", region="510104", operator=other_org)
    theirs = _send(sender=sender, venue=other_venue)
    client.force_login(operator_staff)

    response = client.get("/admin/events/venueenquiry/")

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == [mine]
    assert client.get(f"/admin/events/venueenquiry/{theirs.pk}/change/").status_code == 302


def test_admin_answer_action_replies(client, sender, venue, operator_staff):
    enquiry = _send(sender=sender, venue=venue)
    client.force_login(operator_staff)
    url = f"/admin/events/venueenquiry/{enquiry.pk}/answer/"

    assert client.get(url).status_code == 200
    response = client.post(url, {"reply": "可以承接，请联系 028-85551234。"})

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.REPLIED
    assert enquiry.replied_by == operator_staff


def test_admin_answer_action_refused_to_a_bureau_official(client, sender, venue):
    enquiry = _send(sender=sender, venue=venue)
    official = make_official(region_code="510107")
    client.force_login(official)

    assert client.get("/admin/events/venueenquiry/").status_code == 200
    response = client.post(f"/admin/events/venueenquiry/{enquiry.pk}/answer/", {"reply": "可以"})

    assert response.status_code == 403
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.SENT


def test_admin_inbox_has_no_n_plus_one(client, sender, operator_staff, operator_org):
    client.force_login(operator_staff)
    count = {"n": 0}

    def make_rows(n):
        for _ in range(n):
            count["n"] += 1
            venue = make_venue(name=f"馆{count['n']}", sports=("badminton",), operator=operator_org)
            enquiry = _send(sender=sender, venue=venue)
            VenueEnquiry.objects.filter(pk=enquiry.pk).update(created_at=timezone.now() - timedelta(days=2))

    assert_same_query_count(client, "/admin/events/venueenquiry/", make_rows)
