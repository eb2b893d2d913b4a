import html

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe

# Django's widget templates whose markup WidgetRenderer writes itself: "<input>" with a value,
# a file input (no value, nothing shown of an initial file), a text area.
_INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "file",
        "tel",
        "search",
        "color",
    )
}
_CLEARABLE_FILE = "django/forms/widgets/clearable_file_input.html"
_TEXTAREA = "django/forms/widgets/textarea.html"


class _Unwritten(Exception):
    """A value of a kind WidgetRenderer leaves to Django's templates."""


def _text(value) -> str:
    # What {{ value|stringformat:'s' }} writes: text as it is (escaped unless safe), numbers as text.
    if isinstance(value, SafeData):
        return str(value)
    if isinstance(value, str | int | float | Promise) and not isinstance(value, bool):
        return html.escape(str(value))
    raise _Unwritten


def _attrs(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its bare name.
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input_head(widget: dict) -> str:
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'


class WidgetRenderer(DjangoTemplates):
    """Django's form renderer, with the markup of plain inputs and text areas written in Python.

    Django renders every widget through two templates (the widget's, then attrs.html): on the
    case page, with its record and action forms, that cost more than the forms' own markup.
    The markup is the templates' exactly, stripped as BaseRenderer strips it
    (tests/jiufeng/test_widget_renderer.py compares them); every other widget, and any value
    not plain text or a number, goes to the templates.
    """

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        try:
            if template_name in _INPUTS:
                value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
                return f"{_input_head(widget)}{value}{_attrs(widget['attrs'])}>"
            if template_name == _CLEARABLE_FILE and not widget["is_initial"]:
                return f"{_input_head(widget)}{_attrs(widget['attrs'])}>"
            if template_name == _TEXTAREA:
                value = _text(widget["value"]) if widget["value"] else ""
                return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'
        except _Unwritten:
            pass
        return super().render(template_name, context, request)


class BootstrapForm(forms.Form):
    """Gives every widget Bootstrap's class, so templates render a form's fields in one loop."""

    # One renderer for every form: each instance builds its own template engine.
    default_renderer = WidgetRenderer()
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
