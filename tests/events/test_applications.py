"""Event applications: writing a draft, submitting, the bureau's review by region, editing by
review status, cancelling a published event (events.domain.applications)."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation
from sportsplatform.accounts.models import OrganisationKind, Role
from sportsplatform.approvals.domain.transitions import history, pending_for
from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus, ApprovalStep
from sportsplatform.core.errors import IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.domain import applications as apps
from sportsplatform.events.models import EntryMode, Event, EventGroup
from sportsplatform.notifications.models import Notification
from sportsplatform.venues.models import Sport
from tests.backoffice.conftest import make_staff, world  # noqa: F401  (fixture)
from tests.venues.factories import make_venue

from .factories import make_event


@pytest.fixture
def institution(world):
    """An association in 武侯区 with one staff member: the applicant of these tests."""
    org = create_organisation(name="武侯区田径协会", kind=OrganisationKind.INSTITUTION, region=world.regions["510107"])
    return org, make_staff("t_assoc", org, Role.INSTITUTION_STAFF)


def application_data(**changes) -> dict:
    now = timezone.now()
    starts = now + timedelta(days=30)
    data = {
        "title": "武侯区社区迷你马拉松",
        "sport": Sport.objects.get(code="athletics"),
        "level": "community",
        "region": "510107",
        "location": "武侯区江安河绿道",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=4),
        "registration_opens_at": now - timedelta(days=1),
        "registration_closes_at": starts - timedelta(days=2),
        "expected_participants": 300,
        "fee": "30.00",
        "refund_tiers": [{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}],
        "contact_name": "李老师",
        "contact_phone": "13900000001",
        "groups": [{"name": "5公里", "quota": 200}, {"name": "10公里", "quota": 100, "min_age": 18}],
        "fields": [{"key": "id_number", "label": "身份证号", "kind": "id_number"}],
    }
    data.update(changes)
    return data


def draft(institution, **changes) -> Event:
    org, staff = institution
    return apps.create_event(actor=staff, organiser=org, data=application_data(**changes))


def submitted(institution, **changes) -> Event:
    event = draft(institution, **changes)
    return apps.submit_event(event=event, actor=institution[1])


# --- writing the application ---------------------------------------------------------------------


def test_create_event_stores_a_draft_with_groups_and_questions(world, institution):
    event = draft(institution)

    assert event.status == ApprovalStatus.DRAFT
    assert event.region_id == "510107"
    assert [(g.name, g.quota) for g in event.groups.all()] == [("5公里", 200), ("10公里", 100)]
    assert [f.key for f in event.fields.all()] == ["id_number"]
    assert LogEntry.objects.filter(additional_data__action="events.event.created", object_pk=str(event.pk)).exists()


def test_create_event_at_a_venue_takes_the_venues_county(world, institution):
    venue = make_venue(name="锦江体育馆", region="510104")

    event = draft(institution, venue=venue, region=None, location="")

    assert event.region_id == "510104"


def test_create_event_at_an_unpublished_venue_is_refused(world, institution):
    venue = make_venue(name="未上线馆", region="510107", is_published=False)

    with pytest.raises(ValidationFailed) as exc:
        draft(institution, venue=venue)

    assert "venue" in exc.value.fields
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": timezone.now() + timedelta(days=29)}, "ends_at"),
        ({"registration_closes_at": timezone.now() + timedelta(days=31)}, "registration_closes_at"),
        ({"registration_opens_at": timezone.now() + timedelta(days=29)}, "registration_closes_at"),
        ({"contact_phone": ""}, "contact_phone"),
        ({"refund_tiers": [{"hours_before": 24, "percent": 150}]}, "refund_tiers"),
        ({"location": ""}, "location"),
        ({"region": "510100"}, "region"),
        ({"groups": [{"name": "5公里", "quota": 0}]}, "groups"),
        ({"groups": [{"name": "A", "quota": 5}, {"name": "A", "quota": 5}]}, "groups"),
        ({"entry_mode": EntryMode.TEAM, "groups": [{"name": "混合团体", "quota": 8}]}, "groups"),
        ({"fields": [{"key": "size", "label": "衣服尺码", "kind": "choice", "choices": ["M"]}]}, "fields"),
    ],
)
def test_create_event_with_bad_data_names_the_field_and_stores_nothing(world, institution, changes, field):
    with pytest.raises(ValidationFailed) as exc:
        draft(institution, **changes)

    assert field in exc.value.fields
    assert not Event.objects.exists()
    assert not EventGroup.objects.exists()


def test_create_team_event_with_team_sizes_is_accepted(world, institution):
    event = draft(
        institution, entry_mode=EntryMode.TEAM, groups=[{"name": "混合团体", "quota": 8, "team_min": 3, "team_max": 5}]
    )

    assert event.groups.get().team_max == 5


def test_create_event_for_another_organisation_is_refused(world, institution):
    _org, staff = institution

    with pytest.raises(NotPermitted):
        apps.create_event(actor=staff, organiser=world.orgs["op_jinjiang"], data=application_data())


def test_create_event_in_a_region_outside_the_applicants_is_refused(world, institution):
    with pytest.raises(ValidationFailed) as exc:
        draft(institution, region="510703")

    assert "region" in exc.value.fields


def test_bureau_official_cannot_create_an_application(world):
    with pytest.raises(NotPermitted):
        apps.create_event(actor=world.users["chengdu"], organiser=world.orgs["bureau_chengdu"], data=application_data())


# --- submitting and reviewing --------------------------------------------------------------------


def test_submit_without_groups_is_refused_and_nothing_changes(world, institution):
    event = draft(institution, groups=[])

    with pytest.raises(ValidationFailed) as exc:
        apps.submit_event(event=event, actor=institution[1])

    assert "groups" in exc.value.fields
    event.refresh_from_db()
    assert event.status == ApprovalStatus.DRAFT
    assert not ApprovalStep.objects.exists()


def test_submit_an_event_that_already_started_is_refused(world, institution):
    event = draft(institution)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), registration_closes_at=timezone.now() - timedelta(hours=2)
    )
    event.refresh_from_db()

    with pytest.raises(ValidationFailed) as exc:
        apps.submit_event(event=event, actor=institution[1])

    assert "starts_at" in exc.value.fields


def test_approve_publishes_the_event_and_records_every_step(world, institution):
    event = submitted(institution)

    apps.approve_event(event=event, actor=world.users["chengdu"], comment="同意举办")

    event.refresh_from_db()
    assert event.is_published
    assert event.decided_by == world.users["chengdu"]
    steps = history(event)
    assert [(s.action, s.actor.username, s.comment) for s in steps] == [
        (ApprovalAction.SUBMITTED, "t_assoc", ""),
        (ApprovalAction.APPROVED, "t_chengdu", "同意举办"),
    ]
    from sportsplatform.events.queries import published_events

    assert event in published_events()


@pytest.mark.parametrize(
    ("reviewer", "region", "allowed"),
    [
        ("chengdu", "510107", True),
        ("wuhou", "510107", True),
        ("sichuan", "510107", True),
        ("admin", "510107", True),
        ("chengdu", "510104", True),
        ("wuhou", "510104", False),
        ("chengdu", "510703", False),
        ("wuhou", "510703", False),
        ("sichuan", "510703", True),
    ],
)
def test_only_the_bureau_of_the_events_region_may_approve(world, reviewer, region, allowed):
    org = create_organisation(name="测试协会", kind=OrganisationKind.INSTITUTION, region=world.regions[region])
    staff = make_staff("t_applicant", org, Role.INSTITUTION_STAFF)
    event = apps.create_event(actor=staff, organiser=org, data=application_data(region=region))
    apps.submit_event(event=event, actor=staff)

    if allowed:
        apps.approve_event(event=event, actor=world.users[reviewer])
        event.refresh_from_db()
        assert event.status == ApprovalStatus.APPROVED
    else:
        with pytest.raises(NotPermitted):
            apps.approve_event(event=event, actor=world.users[reviewer])
        event.refresh_from_db()
        assert event.status == ApprovalStatus.SUBMITTED
        assert ApprovalStep.objects.filter(action=ApprovalAction.APPROVED).count() == 0


def test_chengdu_official_reviews_only_chengdus_applications(world):
    events = {}
    for code in ("510107", "510104", "510703"):
        org = create_organisation(name=f"协会{code}", kind=OrganisationKind.INSTITUTION, region=world.regions[code])
        staff = make_staff(f"t_app{code}", org, Role.INSTITUTION_STAFF)
        events[code] = apps.create_event(actor=staff, organiser=org, data=application_data(region=code))
        apps.submit_event(event=events[code], actor=staff)

    def queue(user):
        return {e.region_id for e in pending_for(world.users[user], Event.objects.all())}

    assert queue("chengdu") == {"510107", "510104"}
    assert queue("wuhou") == {"510107"}
    assert queue("sichuan") == {"510107", "510104", "510703"}
    assert queue("wuhou_operator") == set()


def test_organiser_cannot_approve_their_own_application(world, institution):
    event = submitted(institution)

    with pytest.raises(NotPermitted):
        apps.approve_event(event=event, actor=institution[1])


def test_reviewer_cannot_submit_or_withdraw_for_the_organiser(world, institution):
    event = draft(institution)

    with pytest.raises(NotPermitted):
        apps.submit_event(event=event, actor=world.users["chengdu"])


@pytest.mark.parametrize("step", [apps.reject_event, apps.return_event])
def test_reject_and_return_need_a_reason(world, institution, step):
    event = submitted(institution)

    with pytest.raises(ValidationFailed) as exc:
        step(event=event, actor=world.users["chengdu"], comment="  ")

    assert "comment" in exc.value.fields
    event.refresh_from_db()
    assert event.status == ApprovalStatus.SUBMITTED


def test_returned_application_is_a_draft_again_and_can_be_edited_and_resubmitted(world, institution):
    event = submitted(institution)
    apps.return_event(event=event, actor=world.users["wuhou"], comment="请补充安全预案")

    apps.update_event(event=event, actor=institution[1], data={"expected_participants": 250})
    apps.submit_event(event=event, actor=institution[1])

    event.refresh_from_db()
    assert event.status == ApprovalStatus.SUBMITTED
    assert event.expected_participants == 250
    assert [s.action for s in history(event)] == ["submitted", "returned", "submitted"]


def test_rejected_application_may_be_changed_and_submitted_again(world, institution):
    event = submitted(institution)
    apps.reject_event(event=event, actor=world.users["chengdu"], comment="场地不合适")

    apps.update_event(event=event, actor=institution[1], data={"location": "武侯区体育中心"})
    apps.submit_event(event=event, actor=institution[1])

    event.refresh_from_db()
    assert event.status == ApprovalStatus.SUBMITTED
    assert event.decision_comment == ""


def test_approving_an_event_that_already_started_is_refused_and_rolled_back(world, institution):
    event = submitted(institution)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5), registration_closes_at=timezone.now() - timedelta(hours=1)
    )
    event.refresh_from_db()

    with pytest.raises(ValidationFailed):
        apps.approve_event(event=event, actor=world.users["chengdu"])

    event.refresh_from_db()
    assert event.status == ApprovalStatus.SUBMITTED
    assert not ApprovalStep.objects.filter(action=ApprovalAction.APPROVED).exists()


def test_withdrawn_application_can_no_longer_be_submitted(world, institution):
    event = submitted(institution)
    apps.withdraw_event(event=event, actor=institution[1])

    with pytest.raises(IllegalTransition):
        apps.submit_event(event=event, actor=institution[1])


# --- editing by review status --------------------------------------------------------------------


def test_submitted_application_cannot_be_edited(world, institution):
    event = submitted(institution)

    with pytest.raises(IllegalTransition):
        apps.update_event(event=event, actor=institution[1], data={"title": "改名"})

    event.refresh_from_db()
    assert event.title == "武侯区社区迷你马拉松"


def test_published_event_may_change_only_description_cover_and_contacts(world, institution):
    event = submitted(institution)
    apps.approve_event(event=event, actor=world.users["chengdu"])

    apps.update_event(
        event=event, actor=institution[1], data={"description": "新增补给站", "contact_phone": "028-1234"}
    )
    with pytest.raises(IllegalTransition) as exc:
        apps.update_event(event=event, actor=institution[1], data={"fee": "50.00"})
    with pytest.raises(IllegalTransition):
        apps.update_event(event=event, actor=institution[1], data={"groups": [{"name": "5公里", "quota": 999}]})

    event.refresh_from_db()
    assert event.description == "新增补给站"
    assert event.contact_phone == "028-1234"
    assert str(event.fee) == "30.00"
    assert "fee" in exc.value.fields
    assert event.groups.get(name="5公里").quota == 200


def test_update_event_replaces_groups_keeping_those_with_an_id(world, institution):
    event = draft(institution)
    five = event.groups.get(name="5公里")

    apps.update_event(
        event=event,
        actor=institution[1],
        data={"groups": [{"id": five.pk, "name": "5公里", "quota": 150}, {"name": "亲子跑", "quota": 50}]},
    )

    assert [(g.pk == five.pk, g.name, g.quota) for g in event.groups.all()] == [
        (True, "5公里", 150),
        (False, "亲子跑", 50),
    ]


def test_update_event_by_someone_outside_the_organiser_is_refused(world, institution):
    event = draft(institution)

    with pytest.raises(NotPermitted):
        apps.update_event(event=event, actor=world.users["wuhou_operator"], data={"title": "x"})


def test_changing_to_team_entries_checks_the_existing_groups(world, institution):
    event = draft(institution)

    with pytest.raises(ValidationFailed) as exc:
        apps.update_event(event=event, actor=institution[1], data={"entry_mode": EntryMode.TEAM})

    assert "groups" in exc.value.fields


# --- notifications ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "comment", "kind"),
    [
        (apps.approve_event, "", "events.application.approved"),
        (apps.reject_event, "安全预案不完整", "events.application.rejected"),
        (apps.return_event, "请补充保险", "events.application.returned"),
    ],
)
def test_decision_notifies_the_organisers_staff_with_a_link_to_the_application(
    world, institution, django_capture_on_commit_callbacks, step, comment, kind
):
    event = submitted(institution)

    with django_capture_on_commit_callbacks(execute=True):
        step(event=event, actor=world.users["chengdu"], comment=comment)

    notification = Notification.objects.get(user=institution[1], kind=kind)
    assert notification.link == f"/admin/events/event/{event.pk}/change/"
    assert event.title in notification.title
    assert comment in notification.body
    assert not Notification.objects.filter(user=world.users["chengdu"]).exists()


# --- cancelling ------------------------------------------------------------------------------------


def test_cancel_event_cancels_every_registration_and_tells_the_participants(
    world, institution, django_capture_on_commit_callbacks
):
    from sportsplatform.events.domain.registrations import register
    from tests.support.accounts import make_public_user

    event = make_event(organiser=institution[0], quota=1)
    group = event.groups.get()
    first, second = make_public_user(phone="13800000001"), make_public_user(phone="13800000002")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = register(event=event, group=group, user=first, participant_name="甲", answers={})
        waiting = register(event=event, group=group, user=second, participant_name="乙", answers={})
    assert (confirmed.status, waiting.status) == (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        apps.cancel_event(event=event, actor=institution[1], reason="暴雨预警")

    event.refresh_from_db()
    assert not event.is_published
    assert event.cancel_reason == "暴雨预警"
    confirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert (confirmed.status, waiting.status) == (SignupStatus.CANCELLED, SignupStatus.CANCELLED)
    for user in (first, second):
        assert any("暴雨预警" in n.body for n in Notification.objects.filter(user=user))


def test_cancel_event_needs_a_reason(world, institution):
    event = make_event(organiser=institution[0])

    with pytest.raises(ValidationFailed) as exc:
        apps.cancel_event(event=event, actor=institution[1], reason=" ")

    assert "reason" in exc.value.fields
    event.refresh_from_db()
    assert event.is_published


def test_cancel_event_by_the_bureau_of_the_region_is_allowed_elsewhere_refused(world, institution):
    event = make_event(organiser=institution[0], region_code="510107")

    with pytest.raises(NotPermitted):
        apps.cancel_event(event=event, actor=world.users["jinjiang_operator"], reason="x")
    apps.cancel_event(event=event, actor=world.users["wuhou"], reason="场馆检修")

    event.refresh_from_db()
    assert event.cancelled_at is not None


def test_cancel_an_unpublished_application_is_refused(world, institution):
    event = submitted(institution)

    with pytest.raises(IllegalTransition):
        apps.cancel_event(event=event, actor=institution[1], reason="不办了")
