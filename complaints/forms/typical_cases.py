"""The forms of a typical case (典型案例): its account, and a leader's reason for returning it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm

from ..models.typical_cases import ACCOUNT_MAX, TITLE_MAX
from ..typical_cases import REASON_MAX


class TypicalCaseForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    account = forms.CharField(
        label=_("What happened and what was done, in your own words"),
        max_length=ACCOUNT_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Published for everyone to read. Never write the petitioner's name, phone, ID number or email, "
            "the tracking code, the case number, or the complaint's own words: nothing by which anyone could "
            "recognise who complained. The unit complained about and the category are shown beside it."
        ),
    )


class TypicalCaseReturnForm(BootstrapForm):
    reason = forms.CharField(
        label=_("What must change"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
