"""The auditors' filters: what they typed, checked before any query; nothing here writes."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiufeng.filters import INT64_MAX, Int64Field
from jiufeng.forms import BootstrapForm

from .diffs import compared_fields, tracked_model, tracked_models
from .search import Cursor
from .timeline import cursor_decode

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_INVALID = _("Enter a date as YYYY-MM-DD.")
_PAGE_INVALID = _("This page link is not valid: start again from the first page.")


def field_choices(label: str) -> list[tuple[str, str]]:
    """The fields of a tracked model a search may name, by verbose name; none for an unknown label."""
    model = tracked_model(label) if label else None
    if model is None:
        return [("", _("Choose the object type first"))]
    return [("", _("Any field")), *((field.name, str(field.verbose_name)) for field in compared_fields(model))]


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


class HistorySearchForm(BootstrapForm):
    """The history search's filters (audit.search.history_search): each optional, the field
    changed only with the object type; dates are whole local days, both included."""

    type = forms.ChoiceField(
        label=_("Object type"),
        required=False,
        error_messages={"invalid_choice": _("No object type is called “%(value)s”.")},
    )
    object = Int64Field(
        label=_("Object number"),
        required=False,
        min_value=1,
        error_messages={
            "max_value": _("No object has a number this large."),
            "min_value": _("Object numbers start at 1."),
        },
    )
    user = forms.CharField(label=_("User (username)"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=_DATE, error_messages={"invalid": _DATE_INVALID})
    until = forms.DateField(label=_("To"), required=False, widget=_DATE, error_messages={"invalid": _DATE_INVALID})
    # A name checked against the chosen type's fields in clean(): the choices follow the type.
    field = forms.CharField(label=_("Field changed"), required=False, max_length=100, widget=forms.Select)
    before = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [
            ("", _("Any type")),
            *((model._meta.label_lower, str(model._meta.verbose_name)) for model in tracked_models()),
        ]
        # With JavaScript, choosing a type brings its fields at once; without, they come with the results.
        self.fields["type"].widget.attrs.update(
            {"hx-get": reverse("audit:history-fields"), "hx-target": "#id_field", "hx-trigger": "change"}
        )
        self.fields["field"].widget.choices = field_choices(self.data.get("type", "") if self.is_bound else "")

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).only("id").first()
        if user is None:
            raise forms.ValidationError(_("No user has the username “%(username)s”."), params={"username": username})
        return user

    def clean_before(self):
        text = self.cleaned_data["before"]
        if not text:
            return None
        key = cursor_decode(text, 2)
        if key is None or key[1] > INT64_MAX:
            raise forms.ValidationError(_PAGE_INVALID)
        return Cursor(at=key[0], id=key[1])

    def clean(self):
        data = super().clean()
        label, field = data.get("type"), data.get("field")
        if field and not label and "type" not in self.errors:
            self.add_error("field", _("Choose the object type to search by the field changed."))
        elif field and label and field not in dict(field_choices(label)):
            model = tracked_model(label)
            self.add_error(
                "field",
                _("%(type)s has no field “%(field)s”.") % {"type": model._meta.verbose_name, "field": field},
            )
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """The cleaned filters as audit.search.history_search takes them."""
        data = self.cleaned_data
        until = data["until"]
        # The whole last day; none past the last day a date can name.
        end = _local_midnight(until + datetime.timedelta(days=1)) if until and until < datetime.date.max else None
        return {
            "model": data["type"] or None,
            "object_id": data["object"],
            "user_id": data["user"].pk if data["user"] else None,
            # The first day a date can name has no midnight in UTC: no lower bound.
            "since": _local_midnight(data["since"]) if data["since"] and data["since"] > datetime.date.min else None,
            "until": end,
            "field": data["field"] or None,
        }


class TimelinePageForm(forms.Form):
    """The page of an object's timeline: where the previous page ended."""

    before = forms.CharField(required=False, max_length=80)

    def clean_before(self):
        text = self.cleaned_data["before"]
        if not text:
            return None
        key = cursor_decode(text, 3)
        if key is None or key[2] > INT64_MAX:
            raise forms.ValidationError(_PAGE_INVALID)
        return key
