"""The subsidy settlement report as an Excel workbook (openpyxl): one row per venue and batch, a
total row, and the period in the title row. Cells are values, never formulas."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..queries import Settlement

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1D4ED8")


def _value(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def settlement_workbook(report: Settlement) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Coupon subsidy settlement")[:31]
    sheet.append([_("Coupon subsidy settlement %(start)s to %(end)s") % {"start": report.start, "end": report.end}])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [
        (_("Venue"), 32),
        (_("Region code"), 12),
        (_("Coupon batch"), 28),
        (_("Issued by"), 20),
        (_("Coupons redeemed"), 14),
        (_("Order total (yuan)"), 16),
        (_("Subsidy owed (yuan)"), 16),
    ]
    sheet.append([title for title, _width in headers])
    for index, (_title, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in report.rows:
        sheet.append(
            [
                row.venue_name,
                row.region_code,
                row.batch_name,
                row.issuer_name,
                row.coupons,
                _value(row.order_total),
                _value(row.subsidy),
            ]
        )
    sheet.append([_("Total"), "", "", "", report.coupons, _value(report.order_total), _value(report.subsidy)])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even if it starts with "="
        for cell in line[5:7]:
            cell.number_format = "0.00"
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
