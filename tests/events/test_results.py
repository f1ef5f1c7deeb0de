"""Results entry, placings, Excel import, publishing, the public ranking and the event summary."""

from __future__ import annotations

import io
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from sportsplatform.core.errors import Conflict, NotPermitted, ValidationFailed
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.domain import results, summary
from sportsplatform.events.domain.results import ResultInput, parse_time
from sportsplatform.events.interfaces.exports import results_template
from sportsplatform.events.models import EventMedia, Result, ResultKind
from sportsplatform.notifications.models import Notification
from tests.events.factories import make_event, make_organiser
from tests.events.results_factories import login_staff, make_entry
from tests.support.accounts import make_official
from tests.support.queries import assert_same_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def race():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.TIME, title="成都马拉松测试赛")
    entries = [make_entry(event, name=name) for name in ("张三", "李四", "王五", "赵六", "钱七")]
    return {"event": event, "staff": staff, "entries": entries}


def _placings(event) -> dict[str, int | None]:
    return {
        r.registration.participant_name: r.placing
        for r in Result.objects.filter(event=event).select_related("registration")
    }


# --- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "seconds", "display"),
    [
        ("1:32:05", Decimal("5525"), "1:32:05"),
        ("32:05.12", Decimal("1925.12"), "32:05.12"),
        ("10.52", Decimal("10.52"), "10.52"),
        ("2：03：04.5", Decimal("7384.5"), "2:03:04.5"),
        (timedelta(hours=1, minutes=2, seconds=3), Decimal("3723"), "1:02:03"),
        (time(0, 45, 7, 250000), Decimal("2707.25"), "45:07.25"),
    ],
)
def test_parse_time_reads_hours_minutes_seconds(raw, seconds, display):
    assert parse_time(raw) == (seconds, display)


@pytest.mark.parametrize("raw", ["1:60:00", "1:00:60", "abc", "1:2:3:4", "-5", "10.1234", ""])
def test_parse_time_refuses_malformed_times(raw):
    with pytest.raises(ValueError):
        parse_time(raw)


# --- entering and placings ------------------------------------------------------------------


def test_record_result_ties_share_a_placing_and_the_next_skips(race):
    event, staff, e = race["event"], race["staff"], race["entries"]
    times = ["2:10:00", "2:05:30", "2:05:30", "2:20:00"]
    for entry, value in zip(e, times, strict=False):
        results.record_result(event=event, registration=entry, actor=staff, value=value)
    results.record_result(event=event, registration=e[4], actor=staff, status_note="dnf")

    assert _placings(event) == {"李四": 1, "王五": 1, "张三": 3, "赵六": 4, "钱七": None}
    rows = results.ranking(event=event)[0].rows
    assert [r.name for r in rows] == ["李四", "王五", "张三", "赵六", "钱七"]
    assert rows[-1].status_note == "DNF"


def test_record_result_keeps_a_given_placing_and_computes_the_others(race):
    event, staff, e = race["event"], race["staff"], race["entries"]
    results.record_result(event=event, registration=e[0], actor=staff, value="10.50", placing=2)
    results.record_result(event=event, registration=e[1], actor=staff, value="10.50", placing=1)
    results.record_result(event=event, registration=e[2], actor=staff, value="10.80")

    assert _placings(event) == {"李四": 1, "张三": 2, "王五": 3}


def test_record_result_of_a_score_event_ranks_higher_first():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.SCORE)
    low, high = make_entry(event, name="低分"), make_entry(event, name="高分")

    results.record_result(event=event, registration=low, actor=staff, value="85.5")
    results.record_result(event=event, registration=high, actor=staff, value="92")

    assert _placings(event) == {"高分": 1, "低分": 2}


def test_record_result_of_a_placing_event_needs_the_placing_and_no_value():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.PLACING)
    entry = make_entry(event)

    with pytest.raises(ValidationFailed):
        results.record_result(event=event, registration=entry, actor=staff, value="12.3")
    result = results.record_result(event=event, registration=entry, actor=staff, placing="第3名")

    assert result.placing == 3 and result.placing_given


def test_record_result_with_everything_empty_removes_the_result(race):
    event, staff, entry = race["event"], race["staff"], race["entries"][0]
    results.record_result(event=event, registration=entry, actor=staff, value="59.9")

    assert results.record_result(event=event, registration=entry, actor=staff) is None
    assert not Result.objects.filter(registration=entry).exists()


def test_record_result_refuses_a_placing_with_dnf(race):
    with pytest.raises(ValidationFailed):
        results.record_result(
            event=race["event"], registration=race["entries"][0], actor=race["staff"], placing=1, status_note="DNF"
        )


def test_record_result_of_a_judged_event_is_refused():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED)
    entry = make_entry(event)

    with pytest.raises(Conflict):
        results.record_result(event=event, registration=entry, actor=staff, value="9.5")


def test_record_result_by_another_organisations_staff_or_an_official_is_refused(race):
    _other_org, stranger = make_organiser()
    official = make_official(region_code="510100")

    for actor in (stranger, official):
        with pytest.raises(NotPermitted):
            results.record_result(event=race["event"], registration=race["entries"][0], actor=actor, value="1:00:00")
    assert not Result.objects.exists()


def test_record_result_of_a_withdrawn_entry_is_refused(race):
    entry = race["entries"][0]
    entry.status = SignupStatus.WITHDRAWN
    entry.save()

    with pytest.raises(ValidationFailed):
        results.record_result(event=race["event"], registration=entry, actor=race["staff"], value="1:00:00")


def test_save_results_with_one_bad_row_saves_nothing(race):
    event, staff, e = race["event"], race["staff"], race["entries"]
    results.record_result(event=event, registration=e[0], actor=staff, value="1:00:00")

    with pytest.raises(ValidationFailed) as caught:
        results.save_results(
            event=event,
            actor=staff,
            rows=[ResultInput(e[0].pk, value="0:59:00"), ResultInput(e[1].pk, value="1:61:00")],
        )

    assert list(caught.value.fields["rows"]) == [str(e[1].pk)]
    assert Result.objects.get(registration=e[0]).display == "1:00:00"
    assert Result.objects.count() == 1


# --- Excel import ---------------------------------------------------------------------------


def _filled_template(event, values: dict[int, tuple]) -> SimpleUploadedFile:
    workbook = load_workbook(io.BytesIO(results_template(event=event)))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        entry = row[0].value
        if entry in values:
            value, placing, note = values[entry]
            row[5].value, row[6].value, row[7].value = value, placing, note
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("results.xlsx", out.getvalue())


def test_results_template_lists_every_confirmed_entry(race):
    make_entry(race["event"], name="已退赛", status=SignupStatus.WITHDRAWN)

    sheet = load_workbook(io.BytesIO(results_template(event=race["event"]))).active

    names = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(["张三", "李四", "王五", "赵六", "钱七"])


def test_import_results_saves_every_row(race):
    event, staff, e = race["event"], race["staff"], race["entries"]
    upload = _filled_template(
        event, {e[0].pk: ("2:01:00", None, None), e[1].pk: ("1:59:59.5", None, None), e[2].pk: (None, None, "DNS")}
    )

    changed = results.import_results(event=event, actor=staff, file=upload)

    assert changed == 3
    assert _placings(event) == {"李四": 1, "张三": 2, "王五": None}


def test_import_results_with_bad_rows_names_them_and_saves_nothing(race):
    event, staff, e = race["event"], race["staff"], race["entries"]
    upload = _filled_template(
        event, {e[0].pk: ("2:01:00", None, None), e[1].pk: ("soon", None, None), e[2].pk: (None, None, "XYZ")}
    )

    with pytest.raises(ValidationFailed) as caught:
        results.import_results(event=event, actor=staff, file=upload)

    bad = caught.value.fields["rows"]
    assert set(bad) == {"3", "4"}  # rows of 李四 and 王五 under the header
    assert "1:32:05" in bad["3"][0]  # the message shows the expected format
    assert not Result.objects.exists()


def test_import_results_of_a_file_that_is_not_excel_is_refused(race):
    with pytest.raises(ValidationFailed):
        results.import_results(
            event=race["event"], actor=race["staff"], file=SimpleUploadedFile("x.xlsx", b"not a spreadsheet")
        )


def test_import_page_lists_the_bad_rows(client, race):
    event, e = race["event"], race["entries"]
    login_staff(client, race["staff"])
    upload = _filled_template(event, {e[0].pk: ("1:99:00", None, None)})

    response = client.post(reverse("events:results_import", args=[event.pk]), {"file": upload})

    assert response.status_code == 400
    assert "1:99:00" not in response.content.decode()
    assert not Result.objects.exists()


# --- publishing and the public ranking ------------------------------------------------------


def test_publish_results_opens_the_public_ranking_and_tells_participants(
    client, race, django_capture_on_commit_callbacks
):
    event, staff, e = race["event"], race["staff"], race["entries"]
    results.record_result(event=event, registration=e[0], actor=staff, value="2:00:00")
    url = reverse("events:results", args=[event.pk])
    assert client.get(url).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        results.publish_results(event=event, actor=staff)

    response = client.get(url)
    assert response.status_code == 200
    assert "张三" in response.content.decode() and "2:00:00" in response.content.decode()
    assert Notification.objects.filter(user=e[0].user, kind="events.results").exists()


def test_publish_results_without_results_is_refused(race):
    with pytest.raises(Conflict):
        results.publish_results(event=race["event"], actor=race["staff"])


def test_publish_results_twice_is_refused(race):
    results.record_result(event=race["event"], registration=race["entries"][0], actor=race["staff"], value="1:00")
    results.publish_results(event=race["event"], actor=race["staff"])

    with pytest.raises(Conflict):
        results.publish_results(event=race["event"], actor=race["staff"])


def test_published_ranking_of_a_cancelled_event_is_empty(race):
    event = race["event"]
    results.record_result(event=event, registration=race["entries"][0], actor=race["staff"], value="1:00")
    results.publish_results(event=event, actor=race["staff"])
    event.cancelled_at = event.starts_at
    event.save()

    assert results.published_ranking(event) == []


def test_public_ranking_has_no_n_plus_one(client, db):
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.SCORE)
    first = make_entry(event)
    results.record_result(event=event, registration=first, actor=staff, value="1")
    results.publish_results(event=event, actor=staff)

    def make_rows(n):
        for i in range(n):
            entry = make_entry(event)
            results.record_result(event=event, registration=entry, actor=staff, value=str(10 + i))

    assert_same_query_count(client, reverse("events:results", args=[event.pk]), make_rows)


# --- back office ----------------------------------------------------------------------------


def test_results_page_saves_a_group_and_computes_placings(client, race):
    event, e = race["event"], race["entries"]
    login_staff(client, race["staff"])
    group = e[0].group

    response = client.post(
        reverse("events:results_entry", args=[event.pk]),
        {"group": group.pk, f"value-{e[0].pk}": "1:10:00", f"value-{e[1].pk}": "1:05:00", f"note-{e[2].pk}": "DSQ"},
    )

    assert response.status_code == 302
    assert _placings(event) == {"李四": 1, "张三": 2, "王五": None}


def test_results_page_with_a_bad_value_keeps_what_was_typed(client, race):
    event, e = race["event"], race["entries"]
    login_staff(client, race["staff"])

    response = client.post(
        reverse("events:results_entry", args=[event.pk]),
        {"group": e[0].group_id, f"value-{e[0].pk}": "1:10:00", f"value-{e[1].pk}": "fast"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="fast"' in html and 'value="1:10:00"' in html
    assert not Result.objects.exists()


def test_results_page_of_an_out_of_scope_event_is_404(client, race):
    official = make_official(region_code="510700")  # 绵阳: the event is in 武侯区, Chengdu
    login_staff(client, official)

    assert client.get(reverse("events:results_entry", args=[race["event"].pk])).status_code == 404


def test_results_page_for_the_regions_official_is_read_only(client, race):
    official = make_official(region_code="510100")
    login_staff(client, official)
    url = reverse("events:results_entry", args=[race["event"].pk])

    assert client.get(url).status_code == 200
    assert 'name="value-' not in client.get(url).content.decode()
    response = client.post(url, {"group": race["entries"][0].group_id, f"value-{race['entries'][0].pk}": "1:00"})
    assert response.status_code == 403
    assert not Result.objects.exists()


def test_results_desk_lists_only_events_in_scope(client, race):
    other_org, _staff = make_organiser()
    make_event(organiser=other_org, title="别人的赛事")
    login_staff(client, race["staff"])

    html = client.get(reverse("events:office_results")).content.decode()

    assert "成都马拉松测试赛" in html and "别人的赛事" not in html


def test_results_desk_has_no_n_plus_one(client, db):
    organiser, staff = make_organiser()
    login_staff(client, staff)
    assert_same_query_count(
        client,
        reverse("events:office_results"),
        lambda n: [make_event(organiser=organiser) for _ in range(n)],
    )


def test_results_page_has_no_n_plus_one(client, race):
    login_staff(client, race["staff"])
    event = race["event"]
    Result.objects.all().delete()

    def make_rows(n):
        for _ in range(n):
            entry = make_entry(event)
            results.record_result(event=event, registration=entry, actor=race["staff"], value="1:00:00")

    event.registrations.all().delete()
    assert_same_query_count(client, reverse("events:results_entry", args=[event.pk]), make_rows)


# --- summary --------------------------------------------------------------------------------


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#0a4b8c").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_summary_is_public_once_published(client, race, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event, staff = race["event"], race["staff"]
    summary.save_summary(event=event, actor=staff, text="三千人参赛，圆满成功。")
    summary.add_media(event=event, actor=staff, file=_png(), caption="起跑")
    assert summary.published_summary(event) is None

    summary.publish_summary(event=event, actor=staff)

    public = summary.published_summary(event)
    assert public.text == "三千人参赛，圆满成功。"
    assert [m.caption for m in public.photos] == ["起跑"]


def test_add_media_refuses_a_file_that_is_not_a_photo_or_video(race, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("photo.jpg", b"<html>not an image</html>", content_type="image/jpeg")

    with pytest.raises(ValidationFailed):
        summary.add_media(event=race["event"], actor=race["staff"], file=fake)
    assert not EventMedia.objects.exists()


def test_add_media_takes_an_mp4_video(race, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mp4 = SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, content_type="video/mp4")

    media = summary.add_media(event=race["event"], actor=race["staff"], file=mp4)

    assert media.kind == "video" and media.file.name.endswith(".mp4")


def test_publish_summary_without_text_is_refused(race):
    with pytest.raises(ValidationFailed):
        summary.publish_summary(event=race["event"], actor=race["staff"])


def test_summary_by_another_organisation_is_refused(race):
    _org, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        summary.save_summary(event=race["event"], actor=stranger, text="冒名")
