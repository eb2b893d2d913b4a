"""The dashboard's period: this year unless a month, a quarter, a year or a date range is asked for."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..dashboard import Period

# The trend draws a point a month: ten years is 120 points, plenty for a phone.
PERIOD_MAX_YEARS = 10
YEAR_MIN, YEAR_MAX = 2000, 2100
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")


class PeriodForm(forms.Form):
    """``period`` (2026, 2026-Q2, 2026-05) or ``from`` and ``to`` (dates); none: this year.

    ``period`` wins when both are given. ``period_or_default()`` never fails: a value not
    understood gives this year, and ``errors`` say why for the page (or the API's 400).
    """

    period = forms.CharField(label=_("Period counted"), required=False, max_length=7)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the two dates are added by name.
        self.fields["from"] = forms.DateField(label=_("From"), required=False)
        self.fields["to"] = forms.DateField(label=_("To"), required=False)

    def clean_period(self):
        value = self.cleaned_data["period"].strip()
        if not value:
            return None
        match = _PERIOD.match(value)
        if match is None or not YEAR_MIN <= int(match["year"]) <= YEAR_MAX:
            raise forms.ValidationError(
                _("Give a period as a year (2026), a quarter (2026-Q2) or a month (2026-05)."), code="period"
            )
        year = int(match["year"])
        if match["quarter"]:
            quarter = int(match["quarter"])
            return Period.quarter(year, quarter)
        if match["month"]:
            return Period.month(year, int(match["month"]))
        return Period.year(year)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") or self.errors:
            return cleaned
        start, end = cleaned.get("from"), cleaned.get("to")
        if start is None and end is None:
            return cleaned
        if start is None or end is None:
            raise forms.ValidationError(_("Give both dates of a range, from and to."), code="range")
        if end < start:
            raise forms.ValidationError(_("The range ends before it starts."), code="reversed")
        if not (start.year >= YEAR_MIN and end.year <= YEAR_MAX):
            raise forms.ValidationError(_("The dates must fall between 2000 and 2100."), code="range")
        if end - start > datetime.timedelta(days=366 * PERIOD_MAX_YEARS):
            raise forms.ValidationError(
                _("A range spans at most %(years)s years.") % {"years": PERIOD_MAX_YEARS}, code="range"
            )
        cleaned["period"] = Period.range(start, end)
        return cleaned

    def period_or_default(self) -> Period:
        if self.is_valid() and self.cleaned_data.get("period"):
            return self.cleaned_data["period"]
        return Period.year(timezone.localdate().year)

    def error_messages(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]
