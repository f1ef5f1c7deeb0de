"""Coupon pages: the coupon centre (领券中心, /coupons/) to browse and claim, my coupons
(/coupons/mine/), and the checkout fragment (/coupons/orders/<id>/) the checkout page embeds to
choose or remove an order's coupon (see docs/money.md, "Coupons at checkout"). Views parse input,
call coupons.domain and render; htmx requests get the fragment back, others a redirect."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sportsplatform.core.errors import DomainError
from sportsplatform.orders.models import Order, OrderStatus

from .domain.checkout import active_redemption, apply_coupon, close_payments_for_coupon_change, remove_coupon
from .domain.claims import claim_coupon
from .forms import BatchFilterForm
from .models import BatchStatus, Coupon, CouponBatch
from .queries import claimable_batches, claimed_counts, coupons_for_order, my_coupons, with_targets

TABS = (("available", gettext_lazy("Available")), ("used", gettext_lazy("Used")), ("expired", gettext_lazy("Expired")))


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _batch_rows(request, batches):
    claimed = claimed_counts(user=request.user, batch_ids=[b.pk for b in batches])
    return [
        {
            "batch": b,
            "claimed": claimed.get(b.pk, 0),
            "can_claim": b.is_claimable() and claimed.get(b.pk, 0) < b.per_user_limit,
        }
        for b in batches
    ]


@require_GET
def coupon_index(request):
    form = BatchFilterForm(request.GET or None)
    region = sport = ""
    if form.is_valid():
        region, sport = form.cleaned_data["region"], form.cleaned_data["sport"]
    batches = list(claimable_batches(region=region, sport=sport))
    return render(request, "coupons/index.html", {"form": form, "rows": _batch_rows(request, batches)})


@require_POST
@login_required
def coupon_claim(request, batch_id: int):
    batch = get_object_or_404(CouponBatch.objects.exclude(status=BatchStatus.DRAFT), pk=batch_id)
    error = ""
    try:
        claim_coupon(batch=batch, user=request.user, actor=request.user)
    except DomainError as exc:
        error = str(exc.message)
    if _is_htmx(request):
        batch = with_targets(CouponBatch.objects.filter(pk=batch.pk)).get()
        row = _batch_rows(request, [batch])[0]
        return render(
            request, "coupons/includes/batch_card.html", {"row": row, "error": error, "claimed_now": not error}
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Coupon claimed. Use it when you pay for a booking."))
    return redirect("coupons:index")


@require_GET
@login_required
def coupon_mine(request):
    tab = request.GET.get("tab", "available")
    if tab not in dict(TABS):
        tab = "available"
    coupons = list(my_coupons(user=request.user, status=tab)[:200])
    return render(request, "coupons/mine.html", {"coupons": coupons, "tab": tab, "tabs": TABS})


def checkout_context(*, user, order: Order, error: str = "") -> dict:
    redemption = active_redemption(order)
    editable = order.status == OrderStatus.PENDING_PAYMENT and (
        order.expires_at is None or order.expires_at > timezone.now()
    )
    return {
        "order": order,
        "redemption": redemption,
        "editable": editable,
        "options": coupons_for_order(user=user, order=order) if editable and not redemption else [],
        "error": error,
    }


@require_http_methods(["GET", "POST"])
@login_required
def order_coupon(request, order_id: int):
    """GET: the fragment; POST coupon_id=…: use that coupon; POST remove=1: take it off."""
    order = get_object_or_404(Order.objects.select_related("venue"), pk=order_id, user=request.user)
    error = ""
    if request.method == "POST":
        try:
            order = close_payments_for_coupon_change(order=order, actor=request.user)
            if request.POST.get("remove"):
                order = remove_coupon(order=order, actor=request.user)
            else:
                coupon_id = request.POST.get("coupon_id", "")
                coupon = get_object_or_404(Coupon, pk=int(coupon_id) if coupon_id.isdigit() else 0, user=request.user)
                order = apply_coupon(order=order, coupon=coupon, actor=request.user)
        except DomainError as exc:
            error = str(exc.message)
        if not _is_htmx(request):
            if error:
                messages.error(request, error)
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("coupons:mine")
            return redirect(target)
    response = render(
        request, "coupons/includes/checkout.html", checkout_context(user=request.user, order=order, error=error)
    )
    if request.method == "POST" and not error:
        # The page around the fragment shows the amount too (the pay button): htmx reloads it. Pages
        # that update in place can listen for couponChanged instead.
        response["HX-Refresh"] = "true"
        response["HX-Trigger"] = json.dumps(
            {"couponChanged": {"order": order.pk, "discount": str(order.discount), "amount": str(order.amount)}}
        )
    return response
