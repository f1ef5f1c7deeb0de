"""The sandbox gateway's cashier page (收银台): what WeChat's or Alipay's page is for a real payment.

GET shows the amount, what is paid for and the deadline, with a 确认支付 button; POST pays. The
pay_url's token is the only credential (like a real gateway's payment link), so POST is CSRF-exempt:
API.md lets a client POST straight to the pay_url. A client asking for JSON gets JSON."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import sandbox as gateway
from .models import SandboxTrade, SandboxTradeState


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") and "text/html" not in request.headers.get(
        "Accept", ""
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sandbox_cashier(request, token: str):
    trade = SandboxTrade.objects.filter(token=token).first()
    if trade is None:
        raise Http404
    error = ""
    status = 200
    if request.method == "POST":
        try:
            trade = gateway.pay_trade(token=token)
        except gateway.SandboxRefused as exc:
            trade.refresh_from_db()
            error = {
                "ORDER_EXPIRED": _("The time to pay has run out. This payment can no longer be made."),
                "ORDER_CLOSED": _("This payment has been closed and can no longer be made."),
            }.get(exc.code, _("The payment could not be made."))
            status = 409
        if _wants_json(request):
            if error:
                return JsonResponse({"error": {"code": "payment_refused", "message": error, "fields": {}}}, status=409)
            return JsonResponse({"status": "paid", "out_trade_no": trade.out_trade_no})
    expired = trade.state == SandboxTradeState.NOTPAY and trade.time_expire and trade.time_expire <= timezone.now()
    context = {
        "trade": trade,
        "paid": trade.state == SandboxTradeState.SUCCESS,
        "closed": trade.state == SandboxTradeState.CLOSED,
        "expired": expired,
        "error": error,
        "return_url": trade.return_url
        if trade.return_url.startswith("/") and not trade.return_url.startswith("//")
        else "",
    }
    return render(request, "payments/sandbox_cashier.html", context, status=status)
