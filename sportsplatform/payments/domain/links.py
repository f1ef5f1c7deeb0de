"""Links to the public order page in messages (the page belongs to the orders app's views)."""

from django.urls import NoReverseMatch, reverse


def order_link(order) -> str:
    try:
        return reverse("orders:detail", args=[order.pk])
    except NoReverseMatch:
        return ""
