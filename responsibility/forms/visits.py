"""Forms for leader assignments, visits and rectification items: they validate, services write."""

from functools import reduce
from operator import or_

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm
from jiufeng.roles import Role

from ..models import Campaign, CampaignState, LeaderAssignment, Unit, VisitFrequency, VisitKind, VisitMethod
from ..models.visits import DESCRIPTION_MAX, EVIDENCE_MAX, FINDINGS_MAX, PEOPLE_MET_MAX, REASON_MAX, SUBJECT_MAX
from ..scoping import HANDLING, LEADING, SUPERVISING, units_in_scope
from ..services.visits import NOTE_MAX

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitPickerField(forms.ModelMultipleChoiceField):
    """Units in tree order, indented by depth so a phone shows the shape of the tree."""

    widget = forms.SelectMultiple(attrs={"size": 10})

    def label_from_instance(self, unit: Unit) -> str:
        return "\u3000" * (unit.depth - 1) + unit.name


def _active(units):
    return units.filter(is_active=True).order_by("path")


class LeaderAssignmentForm(BootstrapForm):
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=get_user_model().objects.none())
    units = UnitPickerField(label=_("Units assigned"), queryset=Unit.objects.none())
    visit_frequency = forms.ChoiceField(
        label=_("Visit frequency"), choices=VisitFrequency.choices, initial=VisitFrequency.QUARTERLY
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=_DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=_DATE, required=False)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = (
            get_user_model().objects.filter(is_active=True, groups__name=Role.LEADER).order_by("username")
        )
        if user.has_perm("responsibility.add_leaderassignment"):
            units = Unit.objects.all()
        else:
            units = units_in_scope(user, capacities=LEADING)
        self.fields["units"].queryset = _active(units)
        self.fields["starts_on"].initial = timezone.localdate()


class LeaderAssignmentEndForm(BootstrapForm):
    ends_on = forms.DateField(label=_("Ends on"), widget=_DATE)


class _VisitUnitsForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices, initial=VisitKind.VISIT)
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    units = UnitPickerField(label=_("Units visited"), queryset=Unit.objects.none())
    leader_assignment = forms.ModelChoiceField(
        label=_("Under assignment"), queryset=LeaderAssignment.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _active(units_in_scope(user, capacities=SUPERVISING))
        self.fields["leader_assignment"].queryset = LeaderAssignment.objects.current().filter(leader=user)


class VisitScheduleForm(_VisitUnitsForm):
    scheduled_for = forms.DateField(label=_("Scheduled for"), widget=_DATE)


class VisitRecordForm(BootstrapForm):
    made_on = forms.DateField(label=_("Made on"), widget=_DATE)
    methods = forms.MultipleChoiceField(
        label=_("Methods"), choices=VisitMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    people_met = forms.CharField(label=_("People met"), max_length=PEOPLE_MET_MAX, required=False)
    findings = forms.CharField(label=_("Findings"), max_length=FINDINGS_MAX, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["made_on"].initial = timezone.localdate()


class VisitAddForm(_VisitUnitsForm, VisitRecordForm):
    """A visit recorded as made, without having been scheduled."""


class RectificationItemAddForm(BootstrapForm):
    responsible_unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    description = forms.CharField(
        label=_("What must be corrected"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = forms.DateField(label=_("Due on"), widget=_DATE)
    campaign = forms.ModelChoiceField(
        label=_("Rectification campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        help_text=_("When the problem belongs to a campaign (专项治理)."),
    )

    def __init__(self, *args, user, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).filter(state=CampaignState.ACTIVE)
        if visit is None:
            # Outside a visit an item is given by who handles the unit's work (the service's rule).
            units = units_in_scope(user, capacities=HANDLING)
        else:
            # The units visited and those below them, as far as the user may act.
            below_visited = reduce(or_, (Q(path__startswith=unit.path) for unit in visit.unit_list), Q(pk__in=[]))
            units = units_in_scope(user, capacities=SUPERVISING).filter(below_visited)
        self.fields["responsible_unit"].queryset = _active(units)
        self.fields["responsible_unit"].label_from_instance = lambda unit: unit.name


class RectificationItemSubmitForm(BootstrapForm):
    evidence = forms.CharField(
        label=_("What was done (evidence)"), max_length=EVIDENCE_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class RectificationItemSendBackForm(BootstrapForm):
    reason = forms.CharField(label=_("Why it is sent back"), max_length=REASON_MAX)
