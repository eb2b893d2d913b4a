import re

import pytest
from django import forms

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
