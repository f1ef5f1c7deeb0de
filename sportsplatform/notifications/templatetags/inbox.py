"""The header's message count (portal/base.html includes notifications/includes/header_links.html)."""

from django import template

from ..domain.inbox import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_messages", None)
    if cached is None:
        cached = request._unread_messages = unread_count(user=user)
    return cached
