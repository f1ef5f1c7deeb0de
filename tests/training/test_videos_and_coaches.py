"""Course videos (who may watch, byte ranges for seeking, uploads) and coaches with certificates
(numbers unique per kind, dates, private scans)."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sportsplatform.core.errors import NotPermitted, ValidationFailed
from sportsplatform.training import queries
from sportsplatform.training.domain.coaches import add_certificate, create_coach, expiring_certificates
from sportsplatform.training.domain.enrolments import enrol, withdraw_enrolment
from sportsplatform.training.domain.videos import can_watch, delete_video, upload_video
from sportsplatform.training.models import CoachCertificate, CourseVideo
from tests.events.factories import make_organiser
from tests.support.accounts import make_official, make_public_user
from tests.training.factories import make_coach, make_course

pytestmark = pytest.mark.django_db

_phones = count(13300000001)
VIDEO_BYTES = bytes(range(256)) * 40  # 10 240 bytes


def person():
    return make_public_user(phone=str(next(_phones)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def course_with_videos():
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser, fee="0.00")
    preview = upload_video(
        course=course, actor=staff, title="试看", file=SimpleUploadedFile("a.mp4", VIDEO_BYTES), is_preview=True
    )
    lesson = upload_video(course=course, actor=staff, title="第一课", file=SimpleUploadedFile("b.mp4", VIDEO_BYTES))
    return course, staff, preview, lesson


# --- who may watch ---------------------------------------------------------------------------


def test_preview_for_everyone_lesson_only_for_confirmed_students(course_with_videos):
    from django.contrib.auth.models import AnonymousUser

    course, staff, preview, lesson = course_with_videos
    enrolled = person()
    enrol(course=course, user=enrolled, student_name="甲", guardian_phone="13912345678")

    assert can_watch(AnonymousUser(), preview)
    assert not can_watch(AnonymousUser(), lesson)
    assert not can_watch(person(), lesson)
    assert can_watch(enrolled, lesson)
    assert can_watch(staff, lesson)
    assert can_watch(make_official(region_code="510100"), lesson)
    assert not can_watch(make_official(region_code="510700"), lesson)


def test_pending_payment_and_withdrawn_students_cannot_watch(course_with_videos):
    course, _staff, _preview, lesson = course_with_videos
    course.fee = 50
    course.save(update_fields=["fee"])
    pending = person()
    enrol(course=course, user=pending, student_name="甲", guardian_phone="13912345678")
    course.fee = 0
    course.save(update_fields=["fee"])
    gone = person()
    enrolment = enrol(course=course, user=gone, student_name="乙", guardian_phone="13912345678")
    withdraw_enrolment(enrolment=enrolment, actor=gone)

    assert not can_watch(pending, lesson)
    assert not can_watch(gone, lesson)


def test_course_videos_query_marks_watchable(course_with_videos):
    course, _staff, preview, lesson = course_with_videos

    videos = {v.pk: v.watchable for v in queries.course_videos(course=course, user=person())}

    assert videos == {preview.pk: True, lesson.pk: False}


# --- streaming -------------------------------------------------------------------------------


def test_video_whole_file_for_enrolled_student(client, course_with_videos):
    course, _staff, _preview, lesson = course_with_videos
    user = person()
    enrol(course=course, user=user, student_name="甲", guardian_phone="13912345678")
    client.force_login(user)

    response = client.get(f"/courses/videos/{lesson.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == VIDEO_BYTES
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"


def test_video_byte_range_answers_206_with_those_bytes(client, course_with_videos):
    _course, _staff, preview, _lesson = course_with_videos

    response = client.get(f"/courses/videos/{preview.pk}/", headers={"Range": "bytes=100-199"})

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == VIDEO_BYTES[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(VIDEO_BYTES)}"
    assert response["Content-Length"] == "100"


def test_video_open_ended_and_suffix_ranges(client, course_with_videos):
    _course, _staff, preview, _lesson = course_with_videos

    tail = client.get(f"/courses/videos/{preview.pk}/", headers={"Range": "bytes=10000-"})
    suffix = client.get(f"/courses/videos/{preview.pk}/", headers={"Range": "bytes=-40"})

    assert b"".join(tail.streaming_content) == VIDEO_BYTES[10000:]
    assert b"".join(suffix.streaming_content) == VIDEO_BYTES[-40:]


def test_video_range_beyond_end_answers_416(client, course_with_videos):
    _course, _staff, preview, _lesson = course_with_videos

    response = client.get(f"/courses/videos/{preview.pk}/", headers={"Range": "bytes=999999-"})

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(VIDEO_BYTES)}"


def test_video_of_lesson_refused_to_stranger(client, course_with_videos):
    _course, _staff, _preview, lesson = course_with_videos
    client.force_login(person())

    response = client.get(f"/courses/videos/{lesson.pk}/")

    assert response.status_code == 403


def test_video_of_unpublished_course_hidden_from_public(client):
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser, status="draft")
    video = upload_video(
        course=course, actor=staff, title="试看", file=SimpleUploadedFile("a.mp4", VIDEO_BYTES), is_preview=True
    )

    assert client.get(f"/courses/videos/{video.pk}/").status_code == 404
    client.force_login(staff)
    assert client.get(f"/courses/videos/{video.pk}/").status_code == 200


def test_video_missing_answers_404(client):
    assert client.get("/courses/videos/999999/").status_code == 404


def test_video_file_is_stored_under_private(course_with_videos):
    _course, _staff, preview, _lesson = course_with_videos

    assert preview.file.name.startswith("private/")


# --- uploads ---------------------------------------------------------------------------------


def test_upload_video_wrong_type_refused_and_nothing_stored():
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser)

    with pytest.raises(ValidationFailed) as exc:
        upload_video(course=course, actor=staff, title="", file=SimpleUploadedFile("x.exe", b"MZ"))

    assert {"title", "file"} <= set(exc.value.fields)
    assert not CourseVideo.objects.exists()


def test_upload_video_by_stranger_refused():
    course = make_course()
    _other, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        upload_video(course=course, actor=stranger, title="x", file=SimpleUploadedFile("a.mp4", b"0"))


def test_delete_video_removes_row(django_capture_on_commit_callbacks, course_with_videos):
    _course, staff, preview, _lesson = course_with_videos
    storage, name = preview.file.storage, preview.file.name

    with django_capture_on_commit_callbacks(execute=True):
        delete_video(video=preview, actor=staff)

    assert not CourseVideo.objects.filter(pk=preview.pk).exists()
    assert not storage.exists(name)


# --- coaches and certificates ----------------------------------------------------------------


def certificate_data(**extra) -> dict:
    return {
        "kind": "coach",
        "name": "游泳教练员",
        "level": "一级",
        "number": "SW-0001",
        "issued_by": "国家体育总局",
        "issued_on": timezone.localdate() - timedelta(days=30),
        "valid_until": timezone.localdate() + timedelta(days=700),
        **extra,
    }


def test_create_coach_and_add_certificate_with_scan():
    organiser, staff = make_organiser()
    coach = create_coach(actor=staff, organisation=organiser, data={"name": "张教练", "years_coaching": 8})

    certificate = add_certificate(
        coach=coach, actor=staff, data=certificate_data(scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4"))
    )

    assert certificate.scan.name.startswith("private/")
    assert coach.certificates.count() == 1


def test_certificate_number_unique_per_kind():
    organiser, staff = make_organiser()
    coach = make_coach(organisation=organiser, certified=False)
    add_certificate(coach=coach, actor=staff, data=certificate_data())

    with pytest.raises(ValidationFailed) as exc:
        add_certificate(coach=coach, actor=staff, data=certificate_data())
    same_number_other_kind = add_certificate(coach=coach, actor=staff, data=certificate_data(kind="referee"))

    assert "number" in exc.value.fields
    assert same_number_other_kind.pk
    assert CoachCertificate.objects.filter(number="SW-0001").count() == 2


def test_certificate_bad_dates_and_scan_refused():
    organiser, staff = make_organiser()
    coach = make_coach(organisation=organiser, certified=False)
    today = timezone.localdate()

    with pytest.raises(ValidationFailed) as exc:
        add_certificate(
            coach=coach,
            actor=staff,
            data=certificate_data(
                issued_on=today, valid_until=today - timedelta(days=1), scan=SimpleUploadedFile("s.exe", b"MZ")
            ),
        )

    assert {"valid_until", "scan"} <= set(exc.value.fields)
    assert not coach.certificates.exists()


def test_coach_of_other_organisation_cannot_be_changed():
    organiser, _staff = make_organiser()
    coach = make_coach(organisation=organiser)
    _other, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        add_certificate(coach=coach, actor=stranger, data=certificate_data())


def test_expiring_certificates_lists_expired_and_soon():
    organiser, _staff = make_organiser()
    soon = make_coach(organisation=organiser)
    soon.certificates.update(valid_until=timezone.localdate() + timedelta(days=10))
    make_coach(organisation=organiser)  # valid for 800 days

    found = list(expiring_certificates(organisation_id=organiser.pk))

    assert [c.coach_id for c in found] == [soon.pk]
    assert queries.certificate_status(found[0]) == "expiring"


def test_certificate_scan_only_for_scope(client):
    organiser, staff = make_organiser()
    coach = make_coach(organisation=organiser, certified=False)
    certificate = add_certificate(
        coach=coach, actor=staff, data=certificate_data(scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4 scan"))
    )
    _other, stranger = make_organiser()

    client.force_login(stranger)
    hidden = client.get(f"/courses/office/certificates/{certificate.pk}/scan/")
    client.force_login(staff)
    shown = client.get(f"/courses/office/certificates/{certificate.pk}/scan/")

    assert hidden.status_code == 404
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == b"%PDF-1.4 scan"


def test_public_coaches_hide_private_and_order_certified_first():
    organiser, _staff = make_organiser()
    uncertified = make_coach(organisation=organiser, certified=False)
    certified = make_coach(organisation=organiser)
    hidden = make_coach(organisation=organiser)
    hidden.is_public = False
    hidden.save()

    assert [c.pk for c in queries.public_coaches()] == [certified.pk, uncertified.pk]


def test_remind_expiring_certificates_tells_each_organisation_once():
    from sportsplatform.notifications.models import Notification
    from sportsplatform.training.domain.coaches import remind_expiring_certificates

    organiser, staff = make_organiser()
    for _ in range(2):
        make_coach(organisation=organiser).certificates.update(valid_until=timezone.localdate() + timedelta(days=5))
    make_coach(organisation=make_organiser()[0])  # valid for 800 days: nothing to tell

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        told = remind_expiring_certificates(within_days=30)

    assert told == 1
    notes = Notification.objects.filter(kind="training.certificates.expiring")
    assert list(notes.values_list("user_id", flat=True)) == [staff.pk]
    assert notes.get().body.count("\n") == 1
