"""Excel reports of one event for the back office (openpyxl), and the results template.

- registrations: every sign-up with its answers. ID numbers and phone numbers are masked unless
  the viewer works for the organiser (a bureau official or platform admin sees them masked);
- results: the ranking per group;
- scores: every judge's score of every entry — only after scoring closes, and only for the
  organiser and the judges (judging.score_sheet decides);
- checkin: per group, places, confirmed entries, checked in and not yet.

Who may export at all is decided by the view (the event must be visible to the viewer through
core.scoping); every export is audited."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sportsplatform.accounts.phones import mask_phone
from sportsplatform.core import audit
from sportsplatform.core.errors import NotFound
from sportsplatform.core.idnumbers import mask_id_number
from sportsplatform.core.scoping import scope_for
from sportsplatform.core.signups import SignupStatus

from ..domain.judging import score_sheet
from ..domain.results import COL_ENTRY, ranking
from ..models import Event, EventGroup, FieldKind, Registration, RegistrationField


def _workbook():
    from openpyxl import Workbook

    workbook = Workbook()
    return workbook, workbook.active


def _style_header(sheet, widths: list[int]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    for i, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"


def _bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _local(dt) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%d %H:%M}" if dt else ""


def viewer_is_organiser(viewer, event: Event) -> bool:
    return event.organiser_id in scope_for(viewer).organisation_ids


def _mask_digits(text: str) -> str:
    """Phone numbers inside a text (an emergency contact "张三 13800138000") masked."""
    return re.sub(r"\d{7,}", lambda m: mask_phone(m.group()), text)


def _masker(fields: list[RegistrationField], reveal: bool):
    kinds = {f.key: f.kind for f in fields}

    def show(key: str, value) -> str:
        if isinstance(value, dict):
            # Emergency contact: {"name": ..., "phone": ...}
            text = " ".join(str(v) for v in value.values() if v)
            return text if reveal else _mask_digits(text)
        text = "" if value is None else str(value)
        if reveal or not text:
            return text
        if kinds.get(key) == FieldKind.ID_NUMBER:
            return mask_id_number(text) if len(text) == 18 else "*" * len(text)
        if kinds.get(key) in (FieldKind.PHONE, FieldKind.EMERGENCY_CONTACT):
            return _mask_digits(text)
        return text

    return show


def registrations_workbook(*, event: Event, viewer) -> bytes:
    reveal = viewer_is_organiser(viewer, event)
    fields = list(RegistrationField.objects.filter(event=event).order_by("position", "id"))
    show = _masker(fields, reveal)
    workbook, sheet = _workbook()
    sheet.title = _("Registrations")[:31]
    header = [
        _("Entry number"),
        _("Group"),
        _("Participant"),
        _("Team name"),
        _("Status"),
        _("Bib number"),
        *[f.label for f in fields],
        _("Team members"),
        _("Order"),
        _("Amount (yuan)"),
        _("Registered at"),
        _("Confirmed at"),
        _("Checked in at"),
    ]
    sheet.append(header)
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("group", "order", "order__ticket")
        .order_by("group__position", "group_id", "created_at", "id")
    )
    for r in registrations.iterator(chunk_size=500):
        members = "; ".join(
            " ".join([str(m.get("name", ""))] + [show(k, v) for k, v in (m.get("answers") or {}).items()]).strip()
            for m in (r.members or [])
        )
        order = r.order
        ticket = getattr(order, "ticket", None) if order is not None else None
        sheet.append(
            [
                r.pk,
                r.group.name,
                r.participant_name,
                r.team_name,
                str(SignupStatus(r.status).label),
                r.bib,
                *[show(f.key, (r.answers or {}).get(f.key)) for f in fields],
                members,
                order.number if order is not None else "",
                f"{order.amount:.2f}" if order is not None else "",
                _local(r.created_at),
                _local(r.confirmed_at),
                _local(getattr(ticket, "used_at", None)),
            ]
        )
    _style_header(sheet, [10, 16, 14, 14, 12, 10, *[18] * len(fields), 30, 20, 12, 17, 17, 17])
    return _bytes(workbook)


def results_workbook(*, event: Event) -> bytes:
    workbook, sheet = _workbook()
    sheet.title = pgettext("event results", "Results")[:31]
    sheet.append([_("Group"), _("Placing"), _("Participant"), _("Team name"), _("Bib number"), _("Result"), _("Note")])
    for group in ranking(event=event):
        for row in group.rows:
            sheet.append(
                [
                    group.group.name,
                    row.placing,
                    row.name,
                    row.team_name,
                    row.bib,
                    row.display,
                    row.note_label if row.status_note else "",
                ]
            )
    _style_header(sheet, [16, 8, 16, 16, 10, 14, 14])
    return _bytes(workbook)


def scores_workbook(*, event: Event, viewer) -> bytes:
    sheet_data = score_sheet(event=event, viewer=viewer)
    workbook, sheet = _workbook()
    sheet.title = _("Judges' scores")[:31]
    judges = [
        (a.judge.display_name or a.judge.username) + (f" ({_('chief judge')})" if a.is_chief else "")
        for a in sheet_data.judges
    ]
    sheet.append([_("Group"), _("Participant"), _("Team name"), *judges, _("Final score"), _("Placing")])
    for row in sheet_data.rows:
        reg = row.registration
        sheet.append(
            [
                reg.group.name,
                reg.participant_name,
                reg.team_name,
                *[float(v) if v is not None else None for v in row.scores],
                float(row.final) if row.final is not None else None,
                row.placing,
            ]
        )
    sheet.append([])
    sheet.append(
        [
            _("The final score drops %(high)s highest and %(low)s lowest scores and averages the rest.")
            % {"high": event.drop_highest, "low": event.drop_lowest}
        ]
    )
    _style_header(sheet, [16, 16, 16, *[14] * len(judges), 12, 8])
    return _bytes(workbook)


@dataclass
class CheckinFigures:
    group: EventGroup
    confirmed: int
    checked_in: int
    waitlisted: int

    @property
    def not_checked_in(self) -> int:
        return self.confirmed - self.checked_in


def checkin_figures(event: Event) -> list[CheckinFigures]:
    from sportsplatform.booking.models import Ticket

    used = Ticket.objects.filter(order=OuterRef("order"), used_at__isnull=False)
    confirmed = Registration.objects.filter(event=event, status=SignupStatus.CONFIRMED).annotate(used=Exists(used))
    checked = dict(
        confirmed.filter(used=True).values_list("group_id").annotate(n=Count("id")).values_list("group_id", "n")
    )
    groups = (
        EventGroup.objects.filter(event=event)
        .order_by("position", "id")
        .annotate(
            confirmed_n=Count("registrations", filter=Q(registrations__status=SignupStatus.CONFIRMED)),
            waitlisted_n=Count("registrations", filter=Q(registrations__status=SignupStatus.WAITLISTED)),
        )
    )
    return [
        CheckinFigures(group=g, confirmed=g.confirmed_n, checked_in=checked.get(g.pk, 0), waitlisted=g.waitlisted_n)
        for g in groups
    ]


def checkin_workbook(*, event: Event) -> bytes:
    workbook, sheet = _workbook()
    sheet.title = _("Check-in")[:31]
    sheet.append(
        [_("Group"), _("Places"), _("Confirmed"), _("Checked in"), _("Not checked in"), _("Waiting list"), _("Rate")]
    )
    totals = [0, 0, 0, 0, 0]
    for f in checkin_figures(event):
        rate = f"{f.checked_in / f.confirmed:.0%}" if f.confirmed else ""
        sheet.append([f.group.name, f.group.quota, f.confirmed, f.checked_in, f.not_checked_in, f.waitlisted, rate])
        for i, n in enumerate([f.group.quota, f.confirmed, f.checked_in, f.not_checked_in, f.waitlisted]):
            totals[i] += n
    sheet.append(
        [_("Total"), *totals, f"{totals[2] / totals[1]:.0%}" if totals[1] else ""],
    )
    _style_header(sheet, [18, 8, 10, 10, 12, 10, 8])
    return _bytes(workbook)


def results_template(*, event: Event) -> bytes:
    """The results spreadsheet to fill in: one row per confirmed entry, with any result already
    entered. Column A (entry number) identifies the row; columns F–H are read back."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from ..domain.results import confirmed_entries, results_by_entry

    workbook, sheet = _workbook()
    sheet.title = pgettext("event results", "Results")[:31]
    value_header = {
        "time": _("Time (h:mm:ss.ss)"),
        "score": _("Score"),
        "placing": _("Result (leave empty)"),
        "judged": _("Result (from judges)"),
    }[event.result_kind]
    sheet.append(
        [
            _("Entry number"),
            _("Group"),
            _("Bib number"),
            _("Participant"),
            _("Team name"),
            value_header,
            _("Placing"),
            _("Note (DNF/DSQ/DNS)"),
        ]
    )
    existing = results_by_entry(event)
    for reg in confirmed_entries(event):
        result = existing.get(reg.pk)
        note = result.status_note if result else ""
        sheet.append(
            [
                reg.pk,
                reg.group.name,
                reg.bib,
                reg.participant_name,
                reg.team_name,
                result.display if result else "",
                result.placing if result and result.placing_given else None,
                note,
            ]
        )
    # Times and scores stay text, so Excel does not turn 1:32:05 into a fraction of a day.
    for row in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "@"
    notes = DataValidation(type="list", formula1='"DNF,DSQ,DNS"', allow_blank=True)
    sheet.add_data_validation(notes)
    notes.add(f"H2:H{max(sheet.max_row, 2) + 500}")
    _style_header(sheet, [10, 16, 10, 16, 16, 18, 8, 16])
    sheet.cell(row=1, column=COL_ENTRY + 1).font = Font(bold=True, color="0A4B8C")
    return _bytes(workbook)


REPORTS = {
    "registrations": lambda event, viewer: registrations_workbook(event=event, viewer=viewer),
    "results": lambda event, viewer: results_workbook(event=event),
    "scores": lambda event, viewer: scores_workbook(event=event, viewer=viewer),
    "checkin": lambda event, viewer: checkin_workbook(event=event),
}


def export_event(*, event: Event, viewer, report: str) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of one report; audited (who exported what)."""
    build = REPORTS.get(report)
    if build is None:
        raise NotFound()
    data = build(event, viewer)
    audit.record(action=f"events.export.{report}", actor=viewer, obj=event)
    return f"event-{event.pk}-{report}-{timezone.localdate():%Y%m%d}.xlsx", data
