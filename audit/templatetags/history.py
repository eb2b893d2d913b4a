from django import template
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from audit.diffs import Change

register = template.Library()

# Longer values are cut on the page (whole in exports and the API).
SHOWN_CHARACTERS = 300


def _shown(value: str) -> str:
    if len(value) > SHOWN_CHARACTERS:
        return Truncator(value).chars(SHOWN_CHARACTERS)
    return value or "—"


@register.filter
def change_item(change: Change) -> str:
    """One changed field as its list item: "Field: old → new"; personal data only named.

    A filter, not template tags: a long timeline shows a few hundred changes, and their ifs and
    filters in the template were the larger part of the page's time (bench/audit_bench.py).
    """
    if change.masked:
        values = format_html("<em>{}</em>", _("changed (not shown)"))
    else:
        values = format_html(
            '<span data-testid="change-old">{}</span> → <span data-testid="change-new">{}</span>',
            _shown(change.old),
            _shown(change.new),
        )
    return format_html(
        '<li data-testid="change-{}"><span class="text-body-secondary">{}:</span> {}</li>',
        change.field,
        capfirst(change.label),
        values,
    )
