from django import forms
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm

from ..models import CampaignState, Unit
from ..scoping import LEADING, units_in_scope

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignFilterForm(BootstrapForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All"))] + CampaignState.choices)


class CampaignForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=128)
    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    starts_on = forms.DateField(label=_("Starts on"), widget=_DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=_DATE)
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units_in_scope(user, capacities=LEADING).filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        return cleaned


class CampaignTaskForm(BootstrapForm):
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    description = forms.CharField(label=_("Task"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Due on"), widget=_DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(is_active=True)


class CampaignTaskCompleteForm(BootstrapForm):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
