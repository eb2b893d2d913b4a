from django import forms
from django.core.exceptions import ValidationError


class BootstrapForm(forms.Form):
    """Gives every widget Bootstrap's class, so templates render a form's fields in one loop."""

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
