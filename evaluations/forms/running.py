"""Forms of the officers' pages that run appraisals and questionnaires: they read input; services check and write."""

import django_filters
from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from complaints.forms.staff import UnitChoiceField
from jiufeng.forms import BootstrapForm
from responsibility.models import Unit
from responsibility.scoping import HANDLING, units_in_scope

from ..models import PARTS, Appraisal, AppraisalState, Questionnaire, Scale
from ..services.questionnaires import INTRODUCTION_MAX, ITEMS_MAX, NAME_MAX, TEXT_MAX, ItemDraft

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
RANKING_GROUP_MAX = 64

# What each part of the composite score measures, shown beside its weight.
PART_HELP = {
    "supervisor": _("The average questionnaire score given by conduct supervisors (行风监督员)."),
    "representative": _("The average questionnaire score given by people's deputies and CPPCC members."),
    "service_user": _("The average questionnaire score given by service users invited with codes."),
    "petitioner": _("Petitioners' ratings of how their complaints about the unit were handled."),
    "on_time": _("The share of the unit's complaint deadlines met on time in the figures' period."),
    "substantiated": _(
        "Starts at 100 and loses the “points lost per substantiated complaint” for each substantiated complaint "
        "about the unit."
    ),
    "pledge": _("The assessment of the unit's responsibility pledge items."),
}

WEIGHT_FIELDS = [f"weight_{part}" for part in PARTS]
SETTINGS_FIELDS = [
    "name",
    "year",
    "questionnaire",
    "opens_at",
    "closes_at",
    "period_start",
    "period_end",
    *WEIGHT_FIELDS,
    "substantiated_penalty",
    "grade_satisfied_from",
    "grade_basic_from",
    "rectify_bottom",
    "rectify_within_days",
]


class AppraisalFilter(django_filters.FilterSet):
    """The list's filters; the queryset given is already scoped (appraisal_list_for_user)."""

    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    state = django_filters.ChoiceFilter(label=_("State"), choices=AppraisalState.choices, empty_label=_("All"))

    class Meta:
        model = Appraisal
        fields = ["year", "state"]
        form = BootstrapForm


class AppraisalForm(BootstrapForm):
    """An appraisal's settings, with the model's own fields, labels and limits.

    Not a ModelForm: the service (appraisal_create / appraisal_update) is the one place that
    checks an appraisal, the weights' sum first, and names each field it refuses; a
    ModelForm would check the database constraints again and name them by their code names.
    """

    def __init__(self, *args, user, organiser: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        fields = fields_for_model(
            Appraisal,
            fields=SETTINGS_FIELDS,
            widgets={
                "opens_at": _DATETIME,
                "closes_at": _DATETIME,
                "period_start": _DATE,
                "period_end": _DATE,
                **{name: forms.NumberInput(attrs={"data-weight": "", "min": 0, "max": 100}) for name in WEIGHT_FIELDS},
            },
        )
        if organiser:
            # No empty choice: most officers handle in one unit, which is then chosen already.
            self.fields["organiser"] = UnitChoiceField(
                label=_("Organising unit"),
                empty_label=None,
                queryset=units_in_scope(user, capacities=HANDLING).filter(is_active=True).order_by("path"),
            )
        self.fields.update(fields)
        self.fields["questionnaire"].queryset = Questionnaire.objects.order_by("-created_at", "-pk")
        for part in PARTS:
            self.fields[f"weight_{part}"].help_text = PART_HELP[part]
        self.style()

    def weight_fields(self):
        return [self[name] for name in WEIGHT_FIELDS]

    def other_fields(self):
        return [self[name] for name in self.fields if name not in WEIGHT_FIELDS]


class UnitsAddForm(BootstrapForm):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    with_subunits = forms.BooleanField(label=_("and every active unit under it"), required=False)
    ranking_group = forms.CharField(
        label=_("Ranking group"),
        max_length=RANKING_GROUP_MAX,
        required=False,
        help_text=_("Units are ranked against the others of their group, e.g. 执法部门 or 服务窗口."),
    )

    def __init__(self, *args, appraisal: Appraisal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            path__startswith=appraisal.organiser.path, is_active=True
        ).order_by("path")

    def units(self) -> list[Unit]:
        unit = self.cleaned_data["unit"]
        if not self.cleaned_data["with_subunits"]:
            return [unit]
        return list(Unit.objects.filter(path__startswith=unit.path, is_active=True).order_by("path"))


class QuestionnaireForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    introduction = forms.CharField(
        label=_("Introduction"),
        max_length=INTRODUCTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to evaluators above the questions."),
    )


class QuestionItemForm(BootstrapForm):
    text = forms.CharField(label=_("Question"), max_length=TEXT_MAX)
    weight = forms.IntegerField(label=_("Weight (%)"), min_value=0, max_value=100)
    scale = forms.ChoiceField(label=_("Scale"), choices=Scale.choices, initial=Scale.THREE_LEVEL)
    required = forms.BooleanField(label=_("Answer required"), required=False, initial=True)


class _ItemFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The order and delete fields come after the form's own: style them too.
        form.fields["ORDER"].label = _("Order")
        form.fields["DELETE"].label = _("Delete")
        form.style()


QuestionItemFormSet = forms.formset_factory(
    QuestionItemForm,
    formset=_ItemFormSet,
    extra=3,
    can_order=True,
    can_delete=True,
    max_num=ITEMS_MAX,
    validate_max=True,
    absolute_max=ITEMS_MAX,
)


def item_drafts(formset) -> list[ItemDraft]:
    """The questions of a valid formset in the order given, those marked for deletion and blank rows left out."""
    return [
        ItemDraft(
            text=form.cleaned_data["text"],
            weight=form.cleaned_data["weight"],
            scale=form.cleaned_data["scale"],
            required=form.cleaned_data["required"],
        )
        for form in formset.ordered_forms
    ]
