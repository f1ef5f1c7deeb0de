"""{% approval_steps application as steps %}: the review steps of an application (oldest first),
for the timeline include approvals/includes/history.html on any page."""

from django import template

from ..domain.transitions import history

register = template.Library()


@register.simple_tag
def application_of(*candidates):
    """The first application given (`application` on any page, `original` on an admin form)."""
    for candidate in candidates:
        if candidate not in (None, ""):
            return candidate
    return None


@register.simple_tag
def approval_steps(application, known=None):
    """`known`: steps the view already loaded (the admin passes them), else one query."""
    if isinstance(known, list):
        return known
    if application is None or getattr(application, "pk", None) is None:
        return []
    return history(application)
