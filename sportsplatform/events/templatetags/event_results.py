"""Template tags for the results and summary includes that the event detail page shows:

{% load event_results %}
{% event_ranking event as ranking_groups %}   {# [] unless the results are published #}
{% event_summary event as event_summary %}     {# None unless the summary is published #}
"""

from django import template

from ..domain.results import published_ranking
from ..domain.summary import published_summary

register = template.Library()


@register.simple_tag
def event_ranking(event):
    return published_ranking(event)


@register.simple_tag
def event_summary(event):
    return published_summary(event)
