"""The general time promise on pages where no category is chosen yet (the home page)."""

from django import template

from responsibility.models import DeadlineKind

from ..time_limits import TimePromise, time_promise

register = template.Library()


@register.simple_tag
def general_time_promise(kind: str) -> TimePromise:
    """``{% general_time_promise "complaint_accept" as limit %}``: "at most N days", over every category in use."""
    return time_promise(kind=DeadlineKind(kind))
