"""Excel exports of an event: registrations (masked for non-organisers), results, judges' scores
after closing, check-in figures; who may download them."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sportsplatform.booking.domain.tickets import issue_ticket
from sportsplatform.booking.models import Ticket
from sportsplatform.core.errors import NotPermitted
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.domain import judging, results
from sportsplatform.events.interfaces import exports
from sportsplatform.events.models import FieldKind, ResultKind
from sportsplatform.orders.domain.create import LineSpec, create_order
from tests.events.factories import add_field, make_event, make_organiser, valid_id_number
from tests.events.results_factories import login_staff, make_entry, make_judge
from tests.support.accounts import make_official

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_id_number("19900307")


def _rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


@pytest.fixture
def event_with_entries():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.TIME, title="锦江夜跑")
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    add_field(event, key="phone", label="手机号", kind=FieldKind.PHONE)
    entry = make_entry(event, name="张三", answers={"id_number": ID_NUMBER, "phone": "13912345678"})
    return {"event": event, "staff": staff, "entry": entry}


def test_registrations_export_shows_id_numbers_to_the_organiser(event_with_entries):
    rows = _rows(exports.registrations_workbook(event=event_with_entries["event"], viewer=event_with_entries["staff"]))

    assert rows[0][6:8] == ("身份证号", "手机号")
    assert rows[1][2] == "张三"
    assert rows[1][6:8] == (ID_NUMBER, "13912345678")


def test_registrations_export_masks_id_numbers_for_a_bureau_official(event_with_entries):
    official = make_official(region_code="510100")

    rows = _rows(exports.registrations_workbook(event=event_with_entries["event"], viewer=official))

    assert rows[1][6] == f"{ID_NUMBER[:6]}********{ID_NUMBER[-4:]}"
    assert rows[1][7] == "139****5678"
    assert ID_NUMBER not in str(rows)


def test_results_export_lists_the_ranking(event_with_entries):
    event, staff = event_with_entries["event"], event_with_entries["staff"]
    second = make_entry(event, name="李四")
    results.record_result(event=event, registration=event_with_entries["entry"], actor=staff, value="45:10")
    results.record_result(event=event, registration=second, actor=staff, value="41:02.5")

    rows = _rows(exports.results_workbook(event=event))

    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [(1, "李四", "41:02.5"), (2, "张三", "45:10")]


def test_scores_export_before_closing_is_refused_and_after_lists_every_judge():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED)
    judges = [make_judge(display_name=n) for n in ("王裁判", "赵裁判", "钱裁判")]
    for i, judge in enumerate(judges):
        judging.assign_judge(event=event, judge=judge, actor=staff, is_chief=i == 0)
    entry = make_entry(event, name="甲队")
    for judge, value in zip(judges, ("9.1", "9.4", "8.0"), strict=True):
        judging.submit_score(event=event, judge=judge, registration=entry, value=value)

    with pytest.raises(NotPermitted):
        exports.scores_workbook(event=event, viewer=staff)
    judging.close_scoring(event=event, actor=judges[0])
    rows = _rows(exports.scores_workbook(event=event, viewer=staff))

    assert [header.split(" ")[0] for header in rows[0][3:6]] == ["王裁判", "赵裁判", "钱裁判"]
    assert rows[1][1] == "甲队" and rows[1][3:8] == (9.1, 9.4, 8.0, 9.1, 1)


def _paid_order(entry):
    with transaction.atomic():
        order = create_order(
            user=entry.user,
            kind="event",
            venue=None,
            lines=[LineSpec("registration", entry.pk, "报名", Decimal("50.00"))],
            expires_at=None,
        )
    entry.order = order
    entry.save(update_fields=["order"])
    return order


def test_checkin_figures_count_used_tickets_per_group(event_with_entries):
    event = event_with_entries["event"]
    arrived = event_with_entries["entry"]
    absent = make_entry(event, name="缺席者")
    make_entry(event, name="候补者", status=SignupStatus.WAITLISTED, waitlisted_at=timezone.now())
    for entry in (arrived, absent):
        issue_ticket(order=_paid_order(entry))
    Ticket.objects.filter(order=arrived.order).update(used_at=timezone.now())

    (figures,) = exports.checkin_figures(event)

    assert (figures.confirmed, figures.checked_in, figures.not_checked_in, figures.waitlisted) == (2, 1, 1, 1)
    rows = _rows(exports.checkin_workbook(event=event))
    assert rows[1][2:6] == (2, 1, 1, 1) and rows[-1][0]


def test_export_page_downloads_and_audits(client, event_with_entries):
    event = event_with_entries["event"]
    login_staff(client, event_with_entries["staff"])

    response = client.get(reverse("events:export", args=[event.pk, "registrations"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ID_NUMBER in str(_rows(response.content))
    assert LogEntry.objects.filter(additional_data__action="events.export.registrations").exists()


def test_export_page_of_an_event_out_of_scope_is_404(client, event_with_entries):
    _org, stranger = make_organiser()
    login_staff(client, stranger)

    assert client.get(reverse("events:export", args=[event_with_entries["event"].pk, "results"])).status_code == 404


def test_export_page_of_an_unknown_report_is_404(client, event_with_entries):
    login_staff(client, event_with_entries["staff"])

    assert client.get(reverse("events:export", args=[event_with_entries["event"].pk, "passwords"])).status_code == 404


def test_export_page_for_the_regions_official_masks_id_numbers(client, event_with_entries):
    login_staff(client, make_official(region_code="510107"))

    response = client.get(reverse("events:export", args=[event_with_entries["event"].pk, "registrations"]))

    assert response.status_code == 200
    assert ID_NUMBER not in str(_rows(response.content))
