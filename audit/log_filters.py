"""The filters of the auditors' logs, and the cursor that pages them.

A filter that cannot be read is an error shown on the page and no rows, not a filter left out:
an auditor asking who saw case 2026-00004O (a letter O) must not be shown everyone's reads.
"""

import datetime
import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEventKind
from complaints.models import IdentityAccess
from complaints.workflow import EVENTS
from jiufeng.filters import INT64_MAX
from jiufeng.forms import BootstrapForm

from .exports import filters_used

TEXT_MAX = 150

# The earliest and latest days a date filter takes: far enough for any record, near enough
# that the day after the latest is still a date Python can make.
_FIRST_DAY = datetime.date(2000, 1, 1)
_LAST_DAY = datetime.date(2999, 12, 31)


class LogFilterForm(BootstrapForm):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class DayField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [MinValueValidator(_FIRST_DAY), MaxValueValidator(_LAST_DAY)])
        super().__init__(**kwargs)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class DayFromFilter(django_filters.DateFilter):
    """Rows from the start of this local day on: a range on ``at`` itself, which indexes can serve."""

    field_class = DayField

    def filter(self, queryset, value):
        return queryset if value is None else queryset.filter(at__gte=_local_midnight(value))


class DayToFilter(django_filters.DateFilter):
    """Rows up to the end of this local day."""

    field_class = DayField

    def filter(self, queryset, value):
        if value is None:
            return queryset
        return queryset.filter(at__lt=_local_midnight(value + datetime.timedelta(days=1)))


class PersonFilter(django_filters.CharFilter):
    """A user by username (exactly, any case) or by a part of the display name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("User"))
        kwargs.setdefault("max_length", TEXT_MAX)
        kwargs.setdefault("help_text", _("Username, or part of the name"))
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        value = value.strip()
        if not value:
            return queryset
        people = get_user_model().objects.filter(Q(username__iexact=value) | Q(display_name__icontains=value))
        return queryset.filter(**{f"{self.field_name}__in": people.values("pk")})


# "2026-000040" (the case number petitioners and letters quote) or "#40" / "40" (the id staff pages show).
_CASE_NUMBER = re.compile(r"\d{4}-\d{6,9}")
_CASE_ID = re.compile(r"#?(\d{1,19})")


class CaseReferenceField(forms.CharField):
    """A case by its number or its id; cleans to the lookup that finds it."""

    default_error_messages = {
        "invalid": _("Enter a case number such as 2026-000040, or a case id such as #40."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        if _CASE_NUMBER.fullmatch(value):
            return {"complaint__case_number": value}
        case_id = _CASE_ID.fullmatch(value)
        if case_id and 0 < int(case_id.group(1)) <= INT64_MAX:
            return {"complaint_id": int(case_id.group(1))}
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class CaseFilter(django_filters.Filter):
    field_class = CaseReferenceField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Case"))
        kwargs.setdefault("help_text", _("Case number or #id"))
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        return queryset if not value else queryset.filter(**value)


class LogFilter(django_filters.FilterSet):
    """What every log filters by: a date range on ``at``."""

    date_from = DayFromFilter(label=_("From"))
    date_to = DayToFilter(label=_("To"))

    class Meta:
        form = LogFilterForm

    def used(self) -> list[tuple[str, str]]:
        """The filters applied, as (label, value) for people: the file's heading and the export log."""
        return filters_used(self.form)


class TransitionLogFilter(LogFilter):
    case = CaseFilter()
    user = PersonFilter(field_name="actor")
    transition = django_filters.ChoiceFilter(
        label=_("Transition"),
        field_name="name",
        choices=[(name, event.label) for name, event in EVENTS.items()],
        empty_label=_("All"),
    )


class IdentityAccessFilter(LogFilter):
    case = CaseFilter()
    user = PersonFilter(field_name="user")
    via = django_filters.ChoiceFilter(label=_("Via"), choices=IdentityAccess.Via.choices, empty_label=_("All"))


class AddressFilter(django_filters.CharFilter):
    field_class = forms.GenericIPAddressField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Address"))
        super().__init__(field_name="address", **kwargs)


# The sign-in page's events, as the login log lists them.
LOGIN_KINDS = [AuditEventKind.LOGIN, AuditEventKind.LOGIN_FAILED, AuditEventKind.LOCKOUT, AuditEventKind.LOGOUT]


class LoginEventFilter(LogFilter):
    kind = django_filters.ChoiceFilter(
        label=_("Event"), choices=[(kind.value, kind.label) for kind in LOGIN_KINDS], empty_label=_("All")
    )
    username = django_filters.CharFilter(
        label=_("Username"),
        lookup_expr="iexact",
        max_length=TEXT_MAX,
        help_text=_("As typed at sign-in"),
    )
    address = AddressFilter()


class AuditEventFilter(LogFilter):
    """Exports and refused writes: by whom, from where."""

    user = PersonFilter(field_name="user")
    address = AddressFilter()


class CursorForm(forms.Form):
    """Where a page of a log starts: rows older than ``before``, or newer than ``after``."""

    before = forms.IntegerField(min_value=1, max_value=INT64_MAX, required=False)
    after = forms.IntegerField(min_value=1, max_value=INT64_MAX, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("before") and cleaned.get("after"):
            raise forms.ValidationError(_("A page starts either before or after a row, not both."))
        return cleaned
