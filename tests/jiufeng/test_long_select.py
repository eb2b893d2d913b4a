import re

import pytest
from django import forms

from complaints.forms.staff import UnitChoiceField
from jiufeng.forms import LongSelect
from responsibility.models import Unit

pytestmark = pytest.mark.django_db


def _markup(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("chosen", [None, "school"])
def test_a_long_select_writes_the_same_markup_as_djangos(cast, chosen):
    cast.units.sibling.name = '<b>"卫健局"</b>'
    cast.units.sibling.save()
    value = getattr(cast.units, chosen).pk if chosen else None

    def rendered(widget_class) -> str:
        # As a BootstrapForm's bound field renders it: the class on the widget, the id given.
        widget = widget_class(attrs={"class": "form-select"})
        field = forms.ModelChoiceField(queryset=Unit.objects.order_by("path"), empty_label="All", widget=widget)
        return field.widget.render("unit", value, attrs={"id": "id_unit"})

    long = rendered(LongSelect)
    assert _markup(long) == _markup(rendered(forms.Select))
    assert "&lt;b&gt;&quot;卫健局&quot;&lt;/b&gt;" in long
    assert f'<option value="{value or ""}" selected>' in long


@pytest.mark.parametrize("empty_label", [None, "All"])
def test_a_unit_field_lists_the_tree_as_a_model_choice_field_would(cast, empty_label):
    # UnitChoiceField reads its choices as values, not as Unit objects: the same options.
    class Indented(forms.ModelChoiceField):
        def label_from_instance(self, unit):
            return "\u3000" * (unit.depth - 1) + unit.name

    units = Unit.objects.order_by("path")
    ours = UnitChoiceField(queryset=units, empty_label=empty_label)
    djangos = Indented(queryset=units, empty_label=empty_label, widget=LongSelect)
    assert [(str(value), label) for value, label in ours.choices] == [
        (str(value), label) for value, label in djangos.choices
    ]
    assert "\u3000\u3000县第一中学" in dict(ours.choices).values()
    assert ours.widget.render("unit", cast.units.school.pk) == djangos.widget.render("unit", cast.units.school.pk)
    assert ours.clean(str(cast.units.school.pk)) == cast.units.school
