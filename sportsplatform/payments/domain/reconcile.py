"""Daily reconciliation: our succeeded payments and refunds of a day against each provider's
statement for that day (provider.bill), stored as a ReconciliationReport with every mismatch."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sportsplatform.core import audit
from sportsplatform.core.errors import DomainError

from ..models import MONEY_RECEIVED, Payment, ReconciliationReport, ReconciliationStatus, Refund, RefundStatus
from ..providers.base import BillRecord
from ..providers.registry import enabled_codes, load_provider

log = logging.getLogger(__name__)
ZERO = Decimal("0.00")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local (Asia/Shanghai) day as an aware [start, end) pair: statements follow local days."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def reconcile_day(*, day: date, provider_code: str | None = None, actor=None) -> list[ReconciliationReport]:
    """Reconcile `day` for one provider, or every enabled provider that reconciles. Re-running a day
    replaces its report."""
    codes = [provider_code] if provider_code else enabled_codes()
    reports = []
    for code in codes:
        provider = load_provider(code)
        if not provider.reconcile:
            continue
        reports.append(_reconcile(provider, day, actor))
    return reports


def _reconcile(provider, day: date, actor) -> ReconciliationReport:
    start, end = day_bounds(day)
    ours_paid = {
        p.out_trade_no: p.amount
        for p in Payment.objects.filter(
            provider=provider.code, status__in=MONEY_RECEIVED, succeeded_at__gte=start, succeeded_at__lt=end
        ).only("out_trade_no", "amount")
    }
    ours_refunded = {
        r.out_refund_no: (r.amount, r.payment.out_trade_no)
        for r in Refund.objects.filter(
            payment__provider=provider.code,
            status=RefundStatus.SUCCEEDED,
            succeeded_at__gte=start,
            succeeded_at__lt=end,
        ).select_related("payment")
    }
    fields = {
        "payments_count": len(ours_paid),
        "payments_total": sum(ours_paid.values(), ZERO),
        "refunds_count": len(ours_refunded),
        "refunds_total": sum((amount for amount, _no in ours_refunded.values()), ZERO),
    }
    try:
        statement = provider.bill(day=day)
    except DomainError as exc:
        log.warning("payments: %s statement for %s not available: %s", provider.code, day, exc.message)
        fields.update(status=ReconciliationStatus.FAILED, error=str(exc.message)[:255], mismatches=[])
        return _store(provider.code, day, fields, actor)

    theirs_paid = {r.out_trade_no: r for r in statement if r.kind == "payment"}
    theirs_refunded = {r.out_refund_no: r for r in statement if r.kind == "refund"}
    mismatches = []
    mismatches += _compare("payment", ours_paid, theirs_paid, key_name="out_trade_no")
    mismatches += _compare(
        "refund",
        {no: amount for no, (amount, _trade) in ours_refunded.items()},
        theirs_refunded,
        key_name="out_refund_no",
        trade_of={no: trade for no, (_amount, trade) in ours_refunded.items()},
    )
    fields.update(
        provider_payments_count=len(theirs_paid),
        provider_payments_total=sum((r.amount for r in theirs_paid.values()), ZERO),
        provider_refunds_count=len(theirs_refunded),
        provider_refunds_total=sum((r.amount for r in theirs_refunded.values()), ZERO),
        mismatches=mismatches,
        status=ReconciliationStatus.MISMATCHED if mismatches else ReconciliationStatus.MATCHED,
        error="",
    )
    if mismatches:
        log.error("payments: %s reconciliation of %s found %d mismatches", provider.code, day, len(mismatches))
    return _store(provider.code, day, fields, actor)


def _compare(
    kind: str,
    ours: dict[str, Decimal],
    theirs: dict[str, BillRecord],
    *,
    key_name: str,
    trade_of: dict[str, str] | None = None,
) -> list[dict]:
    out = []
    for key in sorted(set(ours) | set(theirs)):
        mine, record = ours.get(key), theirs.get(key)
        if mine is not None and record is not None and mine == record.amount:
            continue
        if record is None:
            problem = "missing_at_provider"
        elif mine is None:
            problem = "missing_here"
        else:
            problem = "amount_differs"
        out.append(
            {
                "kind": kind,
                "problem": problem,
                key_name: key,
                "out_trade_no": record.out_trade_no if record else (trade_of or {}).get(key, key),
                "ours": str(mine) if mine is not None else None,
                "theirs": str(record.amount) if record is not None else None,
            }
        )
    return out


def _store(code: str, day: date, fields: dict, actor) -> ReconciliationReport:
    with transaction.atomic():
        report, _created = ReconciliationReport.objects.update_or_create(provider=code, day=day, defaults=fields)
        audit.record(
            action="payments.reconciliation.run",
            actor=actor,
            obj=report,
            status=report.status,
            mismatches=len(report.mismatches),
        )
    return report
