"""Forms for answering with a code (phone first, for anyone) and for the officers' batches of codes.

They validate what was typed; evaluations.services.responding judges it again under its lock and writes.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm

from ..models import THREE_LEVEL_LABELS, QuestionItem, Scale
from ..services.responding import BATCH_GROUPS, BATCH_MAX, COMMENT_MAX, answer_field

# A five-point answer's words, beside its number.
FIVE_POINT_LABELS = {
    5: _("Very satisfied"),
    4: _("Satisfied"),
    3: _("Neither satisfied nor dissatisfied"),
    2: _("Dissatisfied"),
    1: _("Very dissatisfied"),
}

BATCH_GROUP_CHOICES = [(group.value, group.label) for group in BATCH_GROUPS]


def answer_choices(item: QuestionItem) -> list[tuple[int, str]]:
    """(value, label) of each answer the item takes, best first, as the evaluator reads them."""
    if item.scale == Scale.THREE_LEVEL:
        return [(value, str(THREE_LEVEL_LABELS[value])) for value in item.values]
    return [(value, f"{value} · {FIVE_POINT_LABELS[value]}") for value in item.values]


class CodeForm(BootstrapForm):
    code = forms.CharField(
        label=_("Your invitation code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("The 10 letters and digits on your slip; capital or small letters, spaces, dashes: all the same."),
        error_messages={"required": _("Type the code printed on your slip.")},
    )


class AnswerForm(BootstrapForm):
    """One radio group per question of the questionnaire, then an optional comment."""

    comment = forms.CharField(
        label=_("Anything you want to add (optional)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, items: list[QuestionItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        questions = {
            answer_field(item.pk): forms.TypedChoiceField(
                label=item.text,
                choices=answer_choices(item),
                coerce=int,
                required=item.required,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please answer this question."),
                    "invalid_choice": _("Choose one of the answers offered."),
                },
            )
            for item in items
        }
        # The questions first, in the questionnaire's order; the comment last.
        self.fields = {**questions, "comment": self.fields["comment"]}
        self.style()

    def questions(self) -> list[tuple[QuestionItem, forms.BoundField]]:
        return [(item, self[answer_field(item.pk)]) for item in self.items]

    def answers(self) -> dict[int, int]:
        """{item id: value} of the questions answered."""
        return {
            item.pk: self.cleaned_data[answer_field(item.pk)]
            for item in self.items
            if self.cleaned_data.get(answer_field(item.pk)) not in (None, "")
        }


class InvitationBatchForm(BootstrapForm):
    appraised_unit = forms.TypedChoiceField(label=_("Unit rated"), coerce=int)
    group = forms.ChoiceField(label=_("Who answers"), choices=BATCH_GROUP_CHOICES)
    count = forms.IntegerField(
        label=_("How many codes"),
        min_value=1,
        max_value=BATCH_MAX,
        initial=50,
        error_messages={
            "required": _("Say how many codes to make."),
            "invalid": _("Type a whole number."),
            "min_value": _("Make at least one code."),
            "max_value": _("Make at most %(limit_value)s codes at a time."),
        },
    )

    def __init__(self, *args, units: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appraised_unit"].choices = [(appraised.pk, appraised.unit.name) for appraised in units]


class SlipsFilterForm(forms.Form):
    """Which slips to print: one unit, one group, and whether used codes are printed too."""

    unit = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    group = forms.ChoiceField(choices=[("", ""), *BATCH_GROUP_CHOICES], required=False)
    used = forms.BooleanField(required=False)

    def __init__(self, *args, units: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "")] + [(appraised.pk, appraised.unit.name) for appraised in units]
