"""Forms for appointed evaluators and a conduct supervisor's observations: they read input; services write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.forms.staff import CategoryChoiceField, UnitChoiceField
from complaints.models import Category
from complaints.services import CONTENT_MAX, LOCATION_MAX, NAME_MAX, TITLE_MAX
from jiufeng.forms import BootstrapForm
from responsibility.forms.visits import UnitPickerField
from responsibility.models import Unit
from responsibility.scoping import HANDLING, units_in_scope

from ..models import Evaluator
from ..services.evaluators import APPOINTED_GROUPS, BACKGROUND_MAX
from ..services.observations import observable_units

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PHONE_MAX = 32
EMAIL_MAX = 254


class _PersonForm(BootstrapForm):
    display_name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=PHONE_MAX,
        help_text=_("Their observations are real-name complaints: the handling officers call back on it."),
    )
    email = forms.EmailField(label=_("Email"), max_length=EMAIL_MAX, required=False)
    term_end = forms.DateField(label=_("Term until"), widget=_DATE)
    observes = UnitPickerField(
        label=_("Units observed"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("None chosen: every unit under the appointing unit."),
    )
    background = forms.CharField(
        label=_("Background"),
        max_length=BACKGROUND_MAX,
        required=False,
        help_text=_("Where they work or what they did, e.g. retired teacher."),
    )


class EvaluatorAppointForm(_PersonForm):
    username = forms.CharField(label=_("Username"), max_length=150, help_text=_("What they log in with."))
    group = forms.ChoiceField(label=_("Evaluator group"), choices=[(g.value, g.label) for g in APPOINTED_GROUPS])
    appointed_by = UnitChoiceField(label=_("Appointed by"), queryset=Unit.objects.none())
    term_start = forms.DateField(label=_("Term from"), widget=_DATE)
    field_order = [
        "username",
        "display_name",
        "phone",
        "email",
        "group",
        "appointed_by",
        "term_start",
        "term_end",
        "observes",
        "background",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        handled = units_in_scope(user, capacities=HANDLING).filter(is_active=True).order_by("path")
        self.fields["appointed_by"].queryset = handled
        self.fields["observes"].queryset = handled
        self.fields["term_start"].initial = timezone.localdate()


class EvaluatorUpdateForm(_PersonForm):
    def __init__(self, *args, evaluator: Evaluator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["observes"].queryset = Unit.objects.filter(
            path__startswith=evaluator.appointed_by.path, is_active=True
        ).order_by("path")


class EvaluatorTermEndForm(BootstrapForm):
    last_day = forms.DateField(label=_("Last day of the term"), widget=_DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_day"].initial = timezone.localdate()


class ObservationForm(BootstrapForm):
    unit = UnitChoiceField(label=_("Unit observed"), queryset=Unit.objects.none())
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    content = forms.CharField(label=_("What you saw"), max_length=CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    occurred_on = forms.DateField(label=_("When"), widget=_DATE, required=False)
    location = forms.CharField(label=_("Where"), max_length=LOCATION_MAX, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=PHONE_MAX,
        help_text=_("Your account has no phone number: the handling officers call back on this one."),
    )

    def __init__(self, *args, evaluator: Evaluator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = observable_units(evaluator)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("path")
        if evaluator.user.phone:
            del self.fields["phone"]
