import html

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class BootstrapForm(forms.Form):
    """Gives every widget Bootstrap's class, so templates render a form's fields in one loop."""

    # Optional fields that some choice on the form makes required: not marked "(optional)".
    conditionally_required: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal on the form: on its field when the form has one."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)

    def style(self) -> None:
        """(Re)apply the classes; forms that add fields after __init__ call it again."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class LongSelect(forms.Select):
    """A select of hundreds of options (a county's units), written out in Python.

    Django builds a dictionary and renders a template for each option, about a fifth of a
    millisecond apiece: a thousand units made the case list's filter cost more than its
    cases. Same markup, for flat choices (no optgroups) and a single value. Worth it for a
    few options too where a page shows many selects (the case page's measure rows).
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        # html.escape is what django.utils.html.escape calls: format_html per option, with its
        # lazy-string checks, still cost a third of the case page with a county's units.
        options = "".join(
            f'<option value="{html.escape(str(choice))}"{" selected" if str(choice) in selected else ""}>'
            f"{html.escape(str(label))}</option>"
            for choice, label in self.choices
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs, mark_safe(options))  # noqa: S308 escaped above
