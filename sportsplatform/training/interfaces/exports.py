"""Excel export of a course's attendance: one row per confirmed student, one column per session
(√ present, × absent, blank not marked), then attended / held sessions and the rate."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..models import Course
from ..queries import attendance_table

# Cells a spreadsheet would read as a formula (CSV/Excel injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@")


def _text(value: str) -> str:
    value = value or ""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def attendance_workbook(course: Course) -> bytes:
    sessions, rows = attendance_table(course)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Attendance")[:31]
    sheet.append([_text(course.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    header = [_("Student"), _("Contact phone")]
    header += [f"{timezone.localtime(s.starts_at):%m-%d %H:%M}" for s in sessions]
    header += [_("Attended"), _("Sessions held"), _("Attendance rate")]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        marks = ["√" if m is True else "×" if m is False else "" for m in row.marks]
        rate = "" if row.rate is None else f"{row.rate:.0%}"
        sheet.append(
            [_text(row.enrolment.student_name), row.enrolment.guardian_phone, *marks, row.attended, row.held, rate]
        )
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 14
    for index in range(3, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.freeze_panes = "C3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
