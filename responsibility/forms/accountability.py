from django import forms
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm

from ..models import AccountabilityMeasure, AccountabilityState, Deadline, Position, Unit
from ..services.accountability import document_file_check, linkable_obligations


class AccountabilityFilterForm(BootstrapForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All"))] + AccountabilityState.choices)
    measure = forms.ChoiceField(
        label=_("Measure"), required=False, choices=[("", _("All"))] + AccountabilityMeasure.choices
    )


class ObligationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_kind_display()} · {obj.unit.name} · {obj.due_at:%Y-%m-%d}"


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.user} · {obj.get_kind_display()}"


class AccountabilityProposeForm(BootstrapForm):
    position = PositionChoiceField(label=_("Position holder"), queryset=Position.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    measure = forms.ChoiceField(
        label=_("Suggested measure"),
        required=False,
        choices=[("", _("Leave to the decision"))] + AccountabilityMeasure.choices,
    )
    obligations = ObligationChoiceField(
        label=_("Overdue obligations"),
        required=False,
        queryset=Deadline.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, unit: Unit, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Nobody proposes a record against themselves.
        self.fields["position"].queryset = (
            Position.objects.current().filter(unit=unit).exclude(user=user).select_related("user").order_by("kind")
        )
        self.fields["obligations"].queryset = linkable_obligations(unit=unit).select_related("unit").order_by("due_at")


class AccountabilityDecideForm(BootstrapForm):
    measure = forms.ChoiceField(label=_("Measure"), choices=AccountabilityMeasure.choices)
    note = forms.CharField(
        label=_("Decision note"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AccountabilityDismissForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason for dismissal"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AccountabilityDocumentForm(BootstrapForm):
    file = forms.FileField(
        label=_("Document (PDF, JPEG, PNG, DOC or DOCX, at most 10 MB)"),
        allow_empty_file=True,
        error_messages={"required": _("Choose a file to upload."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.doc,.docx"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        document_file_check(file)
        return file
