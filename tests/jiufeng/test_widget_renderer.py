import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from complaints.forms.attachments import AttachmentsInput
from jiufeng.forms import BootstrapForm, WidgetRenderer

HOSTILE = "\"><script>alert('x')</script>&amp;"

WIDGETS = [
    forms.TextInput(attrs={"class": "form-control", "maxlength": 200, "placeholder": gettext_lazy("Name")}),
    forms.TextInput(attrs={"required": True, "disabled": False, "data-x": mark_safe("<b>safe</b>")}),
    forms.NumberInput(attrs={"min": 1, "max": 30, "step": 0.5}),
    forms.EmailInput(),
    forms.HiddenInput(),
    forms.PasswordInput(render_value=True),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    forms.CheckboxInput(attrs={"class": "form-check-input"}),
    forms.FileInput(),
    forms.ClearableFileInput(),
    AttachmentsInput(),
    forms.Textarea(attrs={"rows": 3, "aria-describedby": "id_body_helptext"}),
]
VALUES = [None, "", "普通的文字", HOSTILE, 12, datetime.datetime(2026, 11, 29, 13, 3), True, False]


class StoredFile:
    """What a FileField gives a form for a file already stored: a name and a URL."""

    url = "/media/a.pdf"

    def __str__(self) -> str:
        return "a.pdf"


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_widgets_markup_is_djangos(widget, value):
    attrs = {"id": "id_body", "required": True}
    ours = widget.render("body", value, attrs=attrs, renderer=WidgetRenderer())
    djangos = widget.render("body", value, attrs=attrs, renderer=DjangoTemplates())
    assert ours == djangos
    assert "<script>" not in ours


def test_values_it_does_not_write_go_to_the_templates():
    # An initial file shows a link and a clear box; a tuple is no text: Django's templates write both.
    widget = forms.TextInput(attrs={"data-pair": ("a", "b")})
    assert widget.render("x", "1", renderer=WidgetRenderer()) == widget.render("x", "1", renderer=DjangoTemplates())
    initial = StoredFile()
    widget = forms.ClearableFileInput()
    ours = widget.render("x", initial, renderer=WidgetRenderer())
    assert ours == widget.render("x", initial, renderer=DjangoTemplates())
    assert 'href="/media/a.pdf"' in ours and 'type="checkbox"' in ours


def test_a_bootstrap_forms_fields_are_written_by_it():
    class Form(BootstrapForm):
        body = forms.CharField(widget=forms.Textarea)

    form = Form(data={"body": HOSTILE})
    assert isinstance(form.renderer, WidgetRenderer)
    assert str(form["body"]) == (
        '<textarea name="body" cols="40" rows="10" class="form-control" required id="id_body">\n'
        "&quot;&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;amp;</textarea>"
    )
