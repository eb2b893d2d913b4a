"""Forms for importing the organisation and changing units and positions: input only, no saves."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm

from ..models import PositionKind, Unit, UnitKind
from ..services.imports import MAX_BYTES
from ..services.units import ends_on_clean, phone_clean


class DateInput(forms.DateInput):
    input_type = "date"


class OrgImportUploadForm(BootstrapForm):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_("At most 2 MB and 5,000 rows; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB: split it into smaller files."))
        return file


class UnitNameForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=128)


class UnitCreateForm(UnitNameForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)


class UnitMoveForm(BootstrapForm):
    parent = forms.ModelChoiceField(label=_("New parent unit"), queryset=Unit.objects.none())

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = targets


class UnitSupervisionForm(BootstrapForm):
    supervising_unit = forms.ModelChoiceField(
        label=_("Supervising unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Only when the department that answers for this unit is not its parent."),
    )
    remit_unit = forms.ModelChoiceField(
        label=_("Remit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Only when this unit's staff work on a wider part of the tree than their own unit."),
    )

    def __init__(self, *args, supervisors, remits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervising_unit"].queryset = supervisors
        self.fields["remit_unit"].queryset = remits


class PositionAssignForm(BootstrapForm):
    name = forms.CharField(label=_("Name of the person"), max_length=64)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("People are matched by phone: an account with this number is reused."),
    )
    kind = forms.ChoiceField(label=_("Position"), choices=PositionKind.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput, initial=timezone.localdate)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("This field is required."))
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return phone_clean(phone) if phone else ""


class PositionEndForm(BootstrapForm):
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, starts_on, **kwargs):
        super().__init__(*args, **kwargs)
        self.starts_on = starts_on

    def clean_ends_on(self):
        # Refused before the confirmation asks about it; the service checks again.
        return ends_on_clean(starts_on=self.starts_on, ends_on=self.cleaned_data["ends_on"])
