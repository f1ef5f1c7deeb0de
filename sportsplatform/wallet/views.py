"""The sports card pages (一卡通, /card/): balance, statement and top-up. A top-up creates the order
(wallet.domain.topup) and sends the user to pay it: the order's payment page (orders:pay) once the
pages engineer's checkout exists, until then straight to the sandbox gateway's pay page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sportsplatform.core.errors import DomainError
from sportsplatform.core.net import client_ip

from .domain.cards import card_for, open_card
from .domain.topup import create_topup_order, topup_limits
from .forms import PRESETS, TopupForm
from .queries import card_entries

PAGE_SIZE = 20


def _page(request, card, form=None, status=200):
    low, high, cap = topup_limits()
    entries = Paginator(card_entries(request.user) if card else [], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "wallet/index.html",
        {
            "card": card,
            "entries": entries,
            "form": form or TopupForm(),
            "presets": PRESETS,
            "low": low,
            "high": high,
            "cap": cap,
        },
        status=status,
    )


@require_GET
@login_required
def card_index(request):
    return _page(request, card_for(request.user))


@require_POST
@login_required
def card_open(request):
    open_card(user=request.user, actor=request.user)
    messages.success(request, _("Your sports card is open. Top it up to pay for bookings with it."))
    return redirect("card:index")


@require_POST
@login_required
def card_topup(request):
    data = request.POST.copy()
    if data.get("preset"):
        # A one-tap amount button: it stands for the amount field.
        data["amount"] = data["preset"]
    form = TopupForm(data)
    if not form.is_valid():
        return _page(request, card_for(request.user), form, status=400)
    try:
        order = create_topup_order(user=request.user, amount=form.cleaned_data["amount"], actor=request.user)
    except DomainError as exc:
        for field, errors in exc.fields.items():
            for error in errors if isinstance(errors, list) else [errors]:
                form.add_error(field if field in form.fields else None, str(error))
        if not exc.fields:
            form.add_error(None, str(exc.message))
        return _page(request, card_for(request.user), form, status=400)
    return redirect(payment_url(request, order))


def payment_url(request, order) -> str:
    """Where the payer goes to pay `order`: the checkout's pay page if it exists, else the sandbox
    gateway's page for a payment started here."""
    try:
        return reverse("orders:pay", args=[order.pk])
    except NoReverseMatch:
        pass
    from sportsplatform.payments.domain.pay import start_payment

    payment = start_payment(
        order=order,
        method="sandbox",
        actor=request.user,
        request_info={"ip": client_ip(request), "user_agent": request.headers.get("User-Agent", "")[:255]},
    )
    return payment.params["pay_url"]
