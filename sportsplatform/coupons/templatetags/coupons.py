"""{% load coupons %}

{% order_coupons order %} — the coupon chooser of the checkout page: the order's coupon (with a
"remove" button) or the buyer's coupons that fit it (with "use"), as forms that htmx posts to
coupons:order and swaps in place. Without JavaScript the forms post normally and come back to the
page they were on. After a change the response carries the HX-Trigger event `couponChanged`
{"order", "discount", "amount"} for the page to update the amount it shows."""

from django import template

from ..views import checkout_context

register = template.Library()


@register.inclusion_tag("coupons/includes/checkout.html", takes_context=True)
def order_coupons(context, order):
    request = context["request"]
    return {**checkout_context(user=request.user, order=order), "request": request, "next": request.get_full_path()}


@register.inclusion_tag("coupons/includes/terms.html")
def coupon_terms(batch):
    """Where a batch's coupons can be used, in one line (regions, venues, sports)."""
    return {"batch": batch}
