from django import template

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """A rate of complaints.dashboard as the page prints it: "92.5%", or "—" when nothing was counted."""
    return "—" if rate is None else f"{rate:g}%"
