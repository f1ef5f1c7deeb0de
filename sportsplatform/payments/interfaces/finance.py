"""The finance export: money received and refunded per day and venue, with every payment and refund
behind the figures (Excel, openpyxl). Scoped through core.scoping: an operator sees its venues, an
official their region, platform admins everything (card top-ups, which belong to no venue, only
they see)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from sportsplatform.core.scoping import visible_to

from ..domain.reconcile import day_bounds
from ..models import MONEY_RECEIVED, Payment, Refund, RefundStatus

ZERO = Decimal("0.00")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class DayVenue:
    day: date
    venue_id: int | None
    venue_name: str
    payments: int = 0
    received: Decimal = ZERO
    refunds: int = 0
    refunded: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


@dataclass
class FinanceReport:
    start: date
    end: date
    rows: list[DayVenue] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)

    @property
    def received(self) -> Decimal:
        return sum((r.received for r in self.rows), ZERO)

    @property
    def refunded(self) -> Decimal:
        return sum((r.refunded for r in self.rows), ZERO)

    @property
    def net(self) -> Decimal:
        return self.received - self.refunded


def finance_report(*, user, start: date, end: date) -> FinanceReport:
    """Payments that succeeded and refunds that were paid out from `start` to `end` (local days,
    inclusive), in the user's scope."""
    since, _ = day_bounds(start)
    _, until = day_bounds(end)
    payments = list(
        visible_to(user, Payment.objects.all())
        .filter(status__in=MONEY_RECEIVED, succeeded_at__gte=since, succeeded_at__lt=until)
        .select_related("order__venue")
        .order_by("succeeded_at", "id")
    )
    refunds = list(
        visible_to(user, Refund.objects.all())
        .filter(status=RefundStatus.SUCCEEDED, succeeded_at__gte=since, succeeded_at__lt=until)
        .select_related("order__venue", "payment")
        .order_by("succeeded_at", "id")
    )
    cells: dict[tuple, DayVenue] = {}

    def cell(moment, order) -> DayVenue:
        day = timezone.localdate(moment)
        key = (day, order.venue_id)
        if key not in cells:
            name = order.venue.name if order.venue_id else _("Sports card top-ups")
            cells[key] = DayVenue(day=day, venue_id=order.venue_id, venue_name=name)
        return cells[key]

    for p in payments:
        row = cell(p.succeeded_at, p.order)
        row.payments += 1
        row.received += p.amount
    for r in refunds:
        row = cell(r.succeeded_at, r.order)
        row.refunds += 1
        row.refunded += r.amount
    rows = sorted(cells.values(), key=lambda r: (r.day, r.venue_name, r.venue_id or 0))
    return FinanceReport(start=start, end=end, rows=rows, payments=payments, refunds=refunds)


def _money(value: Decimal) -> float:
    # Excel stores numbers as doubles; two decimals of yuan are exact enough there and sum as money.
    return float(value)


# Text a spreadsheet would run as a formula (a refund reason typed by a user, say): kept as text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(v) for v in row])
    ws.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        width = max([len(str(name))] + [len(str(r[i - 1])) for r in rows[:200]]) + 4
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, 10), 48)
        if any(isinstance(r[i - 1], float) for r in rows[:1]):
            for (c,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                c.number_format = "0.00"


def finance_workbook(report: FinanceReport) -> bytes:
    provider_names = {
        "sandbox": _("Sandbox"),
        "wechat": _("WeChat Pay"),
        "alipay": _("Alipay"),
        "card": _("Sports card"),
    }
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        _("By day and venue"),
        [
            _("Date"),
            _("Venue"),
            _("Number of payments"),
            _("Received (yuan)"),
            _("Number of refunds"),
            _("Refunded (yuan)"),
            _("Net (yuan)"),
        ],
        [
            [
                r.day.isoformat(),
                r.venue_name,
                r.payments,
                _money(r.received),
                r.refunds,
                _money(r.refunded),
                _money(r.net),
            ]
            for r in report.rows
        ]
        + [
            [
                _("Total"),
                "",
                sum(r.payments for r in report.rows),
                _money(report.received),
                sum(r.refunds for r in report.rows),
                _money(report.refunded),
                _money(report.net),
            ]
        ],
    )
    _sheet(
        wb,
        _("Payments"),
        [
            _("Paid at"),
            _("Venue"),
            _("Order number"),
            _("Payment number"),
            _("Provider"),
            _("Channel"),
            _("Provider transaction id"),
            _("Amount (yuan)"),
            _("Refunded (yuan)"),
            _("Late"),
        ],
        [
            [
                timezone.localtime(p.succeeded_at).strftime("%Y-%m-%d %H:%M:%S"),
                p.order.venue.name if p.order.venue_id else _("Sports card top-ups"),
                p.order.number,
                p.out_trade_no,
                str(provider_names.get(p.provider, p.provider)),
                p.channel,
                p.provider_transaction_id,
                _money(p.amount),
                _money(p.refunded_amount),
                _("Yes") if p.late else "",
            ]
            for p in report.payments
        ],
    )
    _sheet(
        wb,
        _("Refunds"),
        [
            _("Refunded at"),
            _("Venue"),
            _("Order number"),
            _("Refund number"),
            _("Provider"),
            _("Provider refund id"),
            _("Amount (yuan)"),
            _("Reason"),
        ],
        [
            [
                timezone.localtime(r.succeeded_at).strftime("%Y-%m-%d %H:%M:%S"),
                r.order.venue.name if r.order.venue_id else _("Sports card top-ups"),
                r.order.number,
                r.out_refund_no,
                str(provider_names.get(r.payment.provider, r.payment.provider)),
                r.provider_refund_id,
                _money(r.amount),
                r.reason,
            ]
            for r in report.refunds
        ],
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
