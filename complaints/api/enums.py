"""Choice fields documented as one named enum component each.

drf-spectacular names an enum after the property that holds it; a choice set used under
the same property name ("status", "kind") in several serializers and apps collides and
warns. A field made here always refers to its own component, whatever it is called.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def named_choice_field(component_name: str, choices: list[tuple[str, str]]) -> type[serializers.ChoiceField]:
    """A ChoiceField class over ``choices`` whose schema is the component ``component_name``."""

    def __init__(self, **kwargs) -> None:
        serializers.ChoiceField.__init__(self, choices=choices, **kwargs)

    field = type(component_name.removesuffix("Enum") + "Field", (serializers.ChoiceField,), {"__init__": __init__})
    schema = {"type": "string", "enum": [value for value, _label in choices]}
    return extend_schema_field(schema, component_name=component_name)(field)
