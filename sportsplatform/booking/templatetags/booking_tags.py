"""Small template helpers of the booking pages (and the venue page's 预订 button)."""

from django import template

register = template.Library()


@register.filter
def has_bookable(courts) -> bool:
    """Whether any of `courts` can be booked online."""
    return any(getattr(court, "is_bookable", False) for court in courts or ())


@register.filter
def lookup(mapping, key):
    """mapping[key], or "" (quantities by slot id)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
