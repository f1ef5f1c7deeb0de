"""The events back office: applications written, reviewed and cancelled through the admin, all
through the scope; the review queue; private document downloads; query budgets."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation
from sportsplatform.accounts.models import OrganisationKind, Role
from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus, ApprovalStep
from sportsplatform.events.domain import applications as apps
from sportsplatform.events.models import Event, EventAttachment
from tests.backoffice.conftest import as_user, change_form_data, make_staff, world  # noqa: F401  (fixtures)
from tests.support.queries import assert_same_query_count

from .test_applications import application_data

LIST = "/admin/events/event/"
ADD = "/admin/events/event/add/"
QUEUE = "/admin/events/event/review-queue/"
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def change_url(event, view="change"):
    return f"/admin/events/event/{event.pk}/{view}/"


def step_url(event, step):
    return f"/admin/events/event/{event.pk}/review-{step}/"


_made = {"n": 0}


def applicant(world, code="510107"):
    _made["n"] += 1
    n = _made["n"]
    org = create_organisation(
        name=f"{world.regions[code].name}体育协会{n}", kind=OrganisationKind.INSTITUTION, region=world.regions[code]
    )
    return org, make_staff(f"t_assoc{n}", org, Role.INSTITUTION_STAFF)


def application(world, code="510107", *, submit=True, **changes) -> Event:
    org, staff = applicant(world, code)
    changes.setdefault("title", f"{code}赛事")
    event = apps.create_event(actor=staff, organiser=org, data=application_data(region=code, **changes))
    if submit:
        apps.submit_event(event=event, actor=staff)
    return event


def staff_of(event):
    return event.organiser.memberships.get().user


DATETIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def with_split_datetimes(page, data):
    """The admin's date-time widgets post a date and a time (change_form_data sends one value)."""
    form = page.context["adminform"].form
    for name in DATETIMES:
        if name in form.fields:
            value = timezone.localtime(form[name].value())
            data.pop(name, None)
            data[f"{name}_0"] = value.strftime("%Y-%m-%d")
            data[f"{name}_1"] = value.strftime("%H:%M:%S")
    return data


def _errors(response):
    if response.context is None:
        return None
    return [response.context["adminform"].form.errors] + [
        [f.errors for f in inline.formset.forms] + [inline.formset.non_form_errors()]
        for inline in response.context["inline_admin_formsets"]
    ]


def add_form_data(world, org, **changes) -> dict:
    now = timezone.now()
    starts = now + timedelta(days=20)
    data = {
        "title": "武侯区羽毛球公开赛",
        "sport": "",
        "level": "county",
        "entry_mode": "individual",
        "expected_participants": "120",
        "region": "510107",
        "location": "武侯区体育中心",
        "organiser": str(org.pk),
        "starts_at_0": timezone.localtime(starts).strftime("%Y-%m-%d"),
        "starts_at_1": "09:00:00",
        "ends_at_0": timezone.localtime(starts).strftime("%Y-%m-%d"),
        "ends_at_1": "18:00:00",
        "registration_opens_at_0": timezone.localtime(now).strftime("%Y-%m-%d"),
        "registration_opens_at_1": "00:00:00",
        "registration_closes_at_0": timezone.localtime(starts - timedelta(days=3)).strftime("%Y-%m-%d"),
        "registration_closes_at_1": "18:00:00",
        "fee": "50.00",
        "refund_tiers": "72 100\n24 50",
        "result_kind": "placing",
        "drop_highest": "1",
        "drop_lowest": "1",
        "contact_name": "王老师",
        "contact_phone": "13900000002",
        "groups-TOTAL_FORMS": "1",
        "groups-INITIAL_FORMS": "0",
        "groups-0-name": "男子单打",
        "groups-0-quota": "32",
        "groups-0-team_min": "1",
        "groups-0-team_max": "1",
        "groups-0-waitlist_limit": "0",
        "groups-0-position": "0",
        "fields-TOTAL_FORMS": "1",
        "fields-INITIAL_FORMS": "0",
        "fields-0-label": "衣服尺码",
        "fields-0-key": "size",
        "fields-0-kind": "choice",
        "fields-0-required": "on",
        "fields-0-choices": "S\nM\nL",
        "fields-0-position": "0",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-0-kind": "safety_plan",
        "attachments-0-title": "安全预案",
        "attachments-0-file": SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    }
    from sportsplatform.venues.models import Sport

    data["sport"] = str(Sport.objects.get(code="badminton").pk)
    data.update(changes)
    return data


# --- writing an application -----------------------------------------------------------------------


def test_organiser_adds_an_application_with_groups_questions_and_a_document(world, as_user):
    org, staff = applicant(world)

    response = as_user(staff).post(ADD, add_form_data(world, org))

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get()
    assert (event.status, event.organiser, event.region_id) == (ApprovalStatus.DRAFT, org, "510107")
    assert event.refund_tiers == [{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}]
    assert [(g.name, g.quota) for g in event.groups.all()] == [("男子单打", 32)]
    assert event.fields.get().choices == ["S", "M", "L"]
    attachment = event.attachments.get()
    assert attachment.file.name.startswith(f"private/events/{event.pk}/")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"registration_closes_at_0": (timezone.localdate() + timedelta(days=25)).isoformat()},
            "registration_closes_at",
        ),
        ({"refund_tiers": "七十二小时 全额"}, "refund_tiers"),
        ({"contact_phone": ""}, "contact_phone"),
    ],
)
def test_add_with_bad_data_shows_the_error_under_the_field_and_saves_nothing(world, as_user, changes, field):
    org, staff = applicant(world)

    response = as_user(staff).post(ADD, add_form_data(world, org, **changes))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Event.objects.exists()


def test_add_with_a_group_without_places_marks_the_row(world, as_user):
    org, staff = applicant(world)

    response = as_user(staff).post(ADD, add_form_data(world, org, **{"groups-0-quota": "0"}))

    assert response.status_code == 200
    group_errors = response.context["inline_admin_formsets"][0].formset.forms[0].errors
    assert "quota" in group_errors
    assert not Event.objects.exists()


def test_organiser_choices_are_only_the_users_own_organisations(world, as_user):
    org, staff = applicant(world)

    response = as_user(staff).get(ADD)

    choices = list(response.context["adminform"].form.fields["organiser"].queryset)
    assert choices == [org]


def test_submitted_application_is_read_only_for_the_organiser(world, as_user):
    event = application(world)
    client = as_user(staff_of(event))

    page = client.get(change_url(event))
    client.post(change_url(event), {"title": "偷偷改名"})

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    event.refresh_from_db()
    assert event.title == "510107赛事"


def test_published_event_form_offers_only_description_cover_and_contacts(world, as_user):
    event = application(world)
    apps.approve_event(event=event, actor=world.users["chengdu"])
    client = as_user(staff_of(event))
    page = client.get(change_url(event))

    data = change_form_data(page, description="终点设在体育中心", fee="999.00")
    response = client.post(change_url(event), data)

    assert response.status_code == 302
    assert set(page.context["adminform"].form.fields) == {"description", "cover", "contact_name", "contact_phone"}
    event.refresh_from_db()
    assert event.description == "终点设在体育中心"
    assert str(event.fee) == "30.00"


def test_draft_is_edited_through_the_form_groups_included(world, as_user):
    event = application(world, submit=False)
    client = as_user(staff_of(event))
    page = client.get(change_url(event))

    data = with_split_datetimes(page, change_form_data(page, expected_participants="500", **{"groups-0-quota": "250"}))
    response = client.post(change_url(event), data)

    assert response.status_code == 302, _errors(response)
    event.refresh_from_db()
    assert event.expected_participants == 500
    assert event.groups.get(name="5公里").quota == 250


# --- lists and scope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("wuhou", {"510107"}),
        ("chengdu", {"510107", "510104"}),
        ("sichuan", {"510107", "510104", "510703"}),
        ("admin", {"510107", "510104", "510703", "draft"}),
    ],
)
def test_event_list_shows_only_the_officials_region_and_no_unsubmitted_drafts(world, as_user, user, expected):
    for code in ("510107", "510104", "510703"):
        application(world, code)
    hidden = application(world, "510104", submit=False, title="草稿赛事")

    response = as_user(world.users[user]).get(LIST)

    body = response.content.decode()
    shown = {code for code in ("510107", "510104", "510703") if f"{code}赛事" in body}
    if hidden.title in body:
        shown.add("draft")
    assert shown == expected


def test_organiser_sees_only_their_own_applications_drafts_included(world, as_user):
    mine = application(world, "510107", submit=False)
    application(world, "510104")

    response = as_user(staff_of(mine)).get(LIST)

    body = response.content.decode()
    assert "510107赛事" in body
    assert "510104赛事" not in body


def test_review_queue_lists_what_the_official_may_decide(world, as_user):
    application(world, "510107")
    application(world, "510703")

    chengdu = as_user(world.users["chengdu"]).get(QUEUE).content.decode()

    assert "510107赛事" in chengdu
    assert "510703赛事" not in chengdu


def test_event_list_has_no_n_plus_one(world, client, as_user):
    as_user(world.users["sichuan"])
    counter = {"n": 0}

    def make_rows(n):
        for _ in range(n):
            counter["n"] += 1
            org = create_organisation(
                name=f"批量协会{counter['n']}", kind=OrganisationKind.INSTITUTION, region=world.regions["510107"]
            )
            staff = make_staff(f"t_bulk{counter['n']}", org, Role.INSTITUTION_STAFF)
            event = apps.create_event(actor=staff, organiser=org, data=application_data(title=f"批量{counter['n']}"))
            apps.submit_event(event=event, actor=staff)

    assert_same_query_count(client, LIST, make_rows)


def test_review_queue_has_no_n_plus_one(world, client, as_user):
    as_user(world.users["chengdu"])
    counter = {"n": 0}

    def make_rows(n):
        for _ in range(n):
            counter["n"] += 1
            org = create_organisation(
                name=f"队列协会{counter['n']}", kind=OrganisationKind.INSTITUTION, region=world.regions["510104"]
            )
            staff = make_staff(f"t_queue{counter['n']}", org, Role.INSTITUTION_STAFF)
            event = apps.create_event(
                actor=staff, organiser=org, data=application_data(region="510104", title=f"队列{counter['n']}")
            )
            apps.submit_event(event=event, actor=staff)

    assert_same_query_count(client, QUEUE, make_rows)


# --- review through the admin ----------------------------------------------------------------------


def test_change_page_shows_the_review_timeline(world, as_user):
    event = application(world)
    apps.return_event(event=event, actor=world.users["chengdu"], comment="请补充医疗保障方案")

    body = as_user(world.users["chengdu"]).get(change_url(event)).content.decode()

    assert 'id="approval-history-title"' in body
    assert "请补充医疗保障方案" in body
    assert str(world.users["chengdu"]) in body
    for step in ApprovalStep.objects.all():
        assert timezone.localtime(step.at).strftime("%Y-%m-%d %H:%M") in body


def test_chengdu_official_approves_from_the_change_page(world, as_user):
    event = application(world)
    client = as_user(world.users["chengdu"])

    page = client.get(change_url(event)).content.decode()
    form = client.get(step_url(event, "approve"))
    response = client.post(step_url(event, "approve"), {"comment": "同意"})

    assert step_url(event, "approve") in page
    assert step_url(event, "reject") in page
    assert form.status_code == 200
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.is_published
    assert ApprovalStep.objects.filter(action=ApprovalAction.APPROVED, comment="同意").exists()


def test_reject_without_a_reason_shows_the_error_and_changes_nothing(world, as_user):
    event = application(world)

    response = as_user(world.users["chengdu"]).post(step_url(event, "reject"), {"comment": ""})

    assert response.status_code == 200
    assert "comment" in response.context["form"].errors
    event.refresh_from_db()
    assert event.status == ApprovalStatus.SUBMITTED


@pytest.mark.parametrize("reviewer", ["wuhou", "jinjiang_operator"])
def test_approving_by_url_outside_the_region_answers_404(world, as_user, reviewer):
    event = application(world, "510104")

    response = as_user(world.users[reviewer]).post(step_url(event, "approve"), {"comment": "x"})

    assert response.status_code == 404
    event.refresh_from_db()
    assert event.status == ApprovalStatus.SUBMITTED


def test_mianyang_official_guessing_a_chengdu_application_gets_404(world, as_user):
    event = application(world, "510107")
    mianyang = make_staff("t_mianyang", world.orgs["bureau_mianyang"], Role.BUREAU_OFFICIAL)
    client = as_user(mianyang)

    approve = client.post(step_url(event, "approve"), {"comment": "x"})
    change = client.get(change_url(event))
    missing = client.get("/admin/events/event/999999/change/")

    assert approve.status_code == 404
    assert change.status_code == missing.status_code
    assert event.title not in change.content.decode()
    event.refresh_from_db()
    assert event.status == ApprovalStatus.SUBMITTED


def test_organiser_has_no_approve_button_and_is_refused(world, as_user):
    event = application(world)
    client = as_user(staff_of(event))

    page = client.get(change_url(event)).content.decode()
    response = client.post(step_url(event, "approve"), {"comment": "自己批准"})

    assert step_url(event, "approve") not in page
    assert step_url(event, "withdraw") in page
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == ApprovalStatus.SUBMITTED


def test_organiser_submits_from_the_change_page_and_sees_missing_things(world, as_user):
    event = application(world, submit=False, groups=[])
    client = as_user(staff_of(event))

    refused = client.post(step_url(event, "submit"), {"comment": ""})

    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors()
    event.refresh_from_db()
    assert event.status == ApprovalStatus.DRAFT


def test_cancel_published_event_from_the_admin_needs_a_reason(world, as_user):
    event = application(world)
    apps.approve_event(event=event, actor=world.users["chengdu"])
    client = as_user(staff_of(event))
    url = f"/admin/events/event/{event.pk}/cancel-event/"

    refused = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "场馆临时封闭"})

    assert refused.status_code == 200
    assert done.status_code == 302
    event.refresh_from_db()
    assert event.cancel_reason == "场馆临时封闭"


# --- private documents -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("organiser", 200), ("chengdu", 200), ("admin", 200), ("jinjiang_official", 404), ("other_operator", 404)],
)
def test_application_document_download_checks_who_asks(world, as_user, who, status):
    event = application(world, submit=False)
    attachment = apps.add_attachment(
        event=event,
        actor=staff_of(event),
        kind="safety_plan",
        title="安全预案",
        file=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    )
    apps.submit_event(event=event, actor=staff_of(event))
    users = {
        "organiser": staff_of(event),
        "chengdu": world.users["chengdu"],
        "admin": world.users["admin"],
        "jinjiang_official": make_staff("t_jj", world.orgs["bureau_jinjiang"], Role.BUREAU_OFFICIAL),
        "other_operator": world.users["jinjiang_operator"],
    }

    response = as_user(users[who]).get(f"/events/office/documents/{attachment.pk}/")

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"


def test_draft_documents_are_not_shown_to_the_bureau_before_submission(world, as_user):
    event = application(world, submit=False)
    attachment = apps.add_attachment(
        event=event,
        actor=staff_of(event),
        kind="permit",
        file=SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf"),
    )

    response = as_user(world.users["chengdu"]).get(f"/events/office/documents/{attachment.pk}/")

    assert response.status_code == 404


def test_document_download_needs_a_back_office_login(world, client):
    event = application(world, submit=False)
    attachment = EventAttachment.objects.create(
        event=event, kind="other", file=SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    )

    response = client.get(f"/events/office/documents/{attachment.pk}/")

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_documents_cannot_be_added_once_submitted(world):
    event = application(world)

    from sportsplatform.core.errors import IllegalTransition

    with pytest.raises(IllegalTransition):
        apps.add_attachment(
            event=event,
            actor=staff_of(event),
            kind="permit",
            file=SimpleUploadedFile("permit.pdf", PDF, content_type="application/pdf"),
        )


# --- sidebar ---------------------------------------------------------------------------------------


def test_sidebar_shows_the_events_group_with_the_review_queue(world, as_user):
    body = as_user(world.users["chengdu"]).get("/admin/").content.decode()

    assert QUEUE in body
    assert LIST in body


def test_safety_plan_download_for_the_organiser_and_404_outside(world, as_user):
    event = application(world, submit=False, safety_plan=SimpleUploadedFile("safety.pdf", PDF))
    apps.submit_event(event=event, actor=staff_of(event))
    url = f"/events/office/{event.pk}/safety-plan/"

    mine = as_user(staff_of(event)).get(url)
    guessed = as_user(world.users["jinjiang_operator"]).get(url)

    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == PDF
    assert mine["Cache-Control"] == "private, no-store"
    assert guessed.status_code == 404


def test_change_page_links_private_files_only_through_the_checked_downloads(world, as_user):
    event = application(world, submit=False, safety_plan=SimpleUploadedFile("safety.pdf", PDF))
    apps.add_attachment(event=event, actor=staff_of(event), kind="permit", file=SimpleUploadedFile("p.pdf", PDF))

    body = as_user(staff_of(event)).get(change_url(event)).content.decode()

    assert "/media/private/" not in body
    assert f"/events/office/{event.pk}/safety-plan/" in body
    assert "/events/office/documents/" in body


def test_registration_list_has_no_n_plus_one_and_stays_in_scope(world, client, as_user):
    from sportsplatform.events.domain.registrations import register
    from tests.support.accounts import make_public_user

    from .factories import make_event

    org, _staff = applicant(world, "510107")
    ours = make_event(organiser=org, quota=100, title="武侯区报名赛")
    other = make_event(organiser=world.orgs["op_fucheng"], region_code="510703", title="涪城区报名赛")
    register(
        event=other,
        group=other.groups.get(),
        user=make_public_user(phone="13700000000"),
        participant_name="外地",
        answers={},
    )
    as_user(world.users["chengdu"])
    counter = {"n": 0}

    def make_rows(n):
        for _ in range(n):
            counter["n"] += 1
            user = make_public_user(phone=f"136{counter['n']:08d}")
            register(event=ours, group=ours.groups.get(), user=user, participant_name=f"选手{counter['n']}", answers={})

    assert_same_query_count(client, "/admin/events/registration/", make_rows)
    assert "外地" not in client.get("/admin/events/registration/").content.decode()


def test_review_queue_shows_an_organiser_their_own_applications_waiting(world, as_user):
    mine = application(world, "510107")
    application(world, "510107")  # another association's

    body = as_user(staff_of(mine)).get(QUEUE).content.decode()

    assert body.count("510107赛事") == 1
    assert f"/admin/events/event/{mine.pk}/change/" in body


def test_add_form_preselects_the_users_only_organisation_and_has_no_review_section(world, as_user):
    org, staff = applicant(world)

    response = as_user(staff).get(ADD)

    assert response.context["adminform"].form.initial["organiser"] == org.pk
    assert "approval-history-title" not in response.content.decode()
    assert "decided_by" not in [f for fs in response.context["adminform"] for line in fs for f in line.fields]
