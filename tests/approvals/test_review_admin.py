"""What every reviewed application shares (approvals): organisers are told of the bureau's
decision whatever the model, the review timeline renders for any application, and the log of
review steps is for platform admins only."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from sportsplatform.approvals.admin import step_allowed
from sportsplatform.approvals.domain.transitions import review_application
from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus
from sportsplatform.events import receivers
from sportsplatform.notifications.models import Notification
from tests.backoffice.conftest import as_user, world  # noqa: F401  (fixtures)
from tests.events.factories import make_event, make_organiser
from tests.training.factories import make_course


@pytest.fixture
def course_and_staff(world):
    organiser, staff = make_organiser(region_code="510107")
    return make_course(organiser=organiser, status=ApprovalStatus.SUBMITTED), staff


@pytest.mark.parametrize(
    ("action", "comment", "words"),
    [
        (ApprovalAction.APPROVED, "", "published"),
        (ApprovalAction.REJECTED, "教练证书过期", "教练证书过期"),
        (ApprovalAction.RETURNED, "请补充课程表", "请补充课程表"),
    ],
)
def test_course_decision_notifies_the_course_organisers_staff(
    world, course_and_staff, django_capture_on_commit_callbacks, action, comment, words
):
    course, staff = course_and_staff

    with django_capture_on_commit_callbacks(execute=True):
        review_application(application=course, action=action, actor=world.users["chengdu"], comment=comment)

    notification = Notification.objects.get(user=staff)
    assert notification.kind == f"training.application.{action}"
    assert notification.link == f"/admin/training/course/{course.pk}/change/"
    assert course.title in notification.title
    if action != ApprovalAction.APPROVED:
        assert words in notification.body


def test_applicants_own_steps_notify_nobody(world, django_capture_on_commit_callbacks):
    organiser, staff = make_organiser(region_code="510107")
    event = make_event(organiser=organiser, status=ApprovalStatus.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        review_application(application=event, action=ApprovalAction.WITHDRAWN, actor=staff)

    assert not Notification.objects.exists()


def test_registering_the_receiver_twice_sends_one_message(world, course_and_staff, django_capture_on_commit_callbacks):
    course, staff = course_and_staff
    receivers.register()
    receivers.register()

    with django_capture_on_commit_callbacks(execute=True):
        review_application(application=course, action=ApprovalAction.APPROVED, actor=world.users["wuhou"])

    assert Notification.objects.filter(user=staff).count() == 1


def test_inactive_staff_are_not_notified(world, django_capture_on_commit_callbacks):
    organiser, staff = make_organiser(region_code="510107")
    staff.memberships.update(is_active=False)
    event = make_event(organiser=organiser, status=ApprovalStatus.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        review_application(application=event, action=ApprovalAction.APPROVED, actor=world.users["wuhou"])

    assert not Notification.objects.filter(user=staff).exists()


def test_history_include_renders_every_step_of_a_course(world, course_and_staff):
    course, _staff = course_and_staff
    review_application(
        application=course, action=ApprovalAction.RETURNED, actor=world.users["chengdu"], comment="补充场地证明"
    )

    html = render_to_string("approvals/includes/history.html", {"application": course})

    assert "补充场地证明" in html
    assert str(world.users["chengdu"]) in html
    assert 'class="ah-badge draft"' in html


def test_history_include_for_an_unsaved_application_renders_nothing(world):
    from sportsplatform.events.models import Event

    assert render_to_string("approvals/includes/history.html", {"application": Event()}).strip() == ""


@pytest.mark.parametrize(
    ("user", "action", "allowed"),
    [
        ("chengdu", ApprovalAction.APPROVED, True),
        ("chengdu", ApprovalAction.SUBMITTED, False),
        ("staff", ApprovalAction.APPROVED, False),
        ("staff", ApprovalAction.WITHDRAWN, True),
        ("staff", ApprovalAction.SUBMITTED, False),
    ],
)
def test_step_allowed_follows_role_and_state(world, course_and_staff, user, action, allowed):
    course, staff = course_and_staff
    users = {**world.users, "staff": staff}

    assert step_allowed(users[user], course, action) is allowed


def test_review_step_log_is_for_platform_admins_only(world, course_and_staff, as_user):
    course, _staff = course_and_staff
    review_application(application=course, action=ApprovalAction.APPROVED, actor=world.users["chengdu"])

    admin_page = as_user(world.users["admin"]).get("/admin/approvals/approvalstep/")
    official_page = as_user(world.users["chengdu"]).get("/admin/approvals/approvalstep/")

    assert admin_page.status_code == 200
    assert "approved" in admin_page.content.decode() or "批准" in admin_page.content.decode()
    assert official_page.status_code == 403


def test_review_step_log_has_no_n_plus_one(world, client, as_user):
    from tests.support.queries import assert_same_query_count

    as_user(world.users["admin"])

    def make_rows(n):
        for _ in range(n):
            organiser, staff = make_organiser(region_code="510107")
            event = make_event(organiser=organiser, status=ApprovalStatus.DRAFT)
            review_application(application=event, action=ApprovalAction.WITHDRAWN, actor=staff)

    assert_same_query_count(client, "/admin/approvals/approvalstep/", make_rows)
