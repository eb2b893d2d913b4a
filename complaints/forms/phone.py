from django import forms
from django.utils.translation import gettext_lazy as _


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("The number you gave when you filed under your real name."),
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "class": "form-control form-control-lg"}
        ),
    )


class PhoneCodeForm(forms.Form):
    phone = forms.CharField(max_length=20, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Verification code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "form-control form-control-lg"}
        ),
    )
