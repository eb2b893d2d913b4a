"""Filters of the API's lists: integers bounded to the 64-bit range the database stores.

A number past it reached the query as it was typed: SQLite cannot bind it (OverflowError,
a 500) and PostgreSQL compared it as numeric and found nothing. Bounded here, it is a 400
naming the filter, with Django's own message, before any query. Every API FilterSet
derives from ``FilterSet`` below (tests/jiufeng/test_api_filters.py checks).
"""

from copy import deepcopy

import django_filters
from django import forms
from django.db import models
from django_filters import fields
from django_filters.rest_framework import filterset

# What a BigAutoField, the ids' type, holds on every backend.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class Int64Field(forms.IntegerField):
    """A whole number in the 64-bit range."""

    def __init__(self, *, min_value=INT64_MIN, max_value=INT64_MAX, **kwargs):
        super().__init__(min_value=max(min_value, INT64_MIN), max_value=min(max_value, INT64_MAX), **kwargs)


class Int64Filter(django_filters.NumberFilter):
    """An id or count compared as is, e.g. ``?handling_unit=7``: a whole number in the 64-bit range."""

    field_class = Int64Field


def _past_64_bits(value) -> bool:
    try:
        number = int(str(value))
    except ValueError:
        # Not a whole number: the field's own check answers it.
        return False
    return not INT64_MIN <= number <= INT64_MAX


class Int64ModelChoiceField(fields.ModelChoiceField):
    """A row chosen by its id: an id past 64 bits is "not one of the choices", as an unknown one is."""

    def to_python(self, value):
        if value not in self.empty_values and _past_64_bits(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class Int64ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = Int64ModelChoiceField


class Int64ModelMultipleChoiceField(fields.ModelMultipleChoiceField):
    """Rows chosen by their ids (``?units=1&units=2``): an id past 64 bits is not a valid value."""

    def _check_values(self, value):
        for pk in value:
            if _past_64_bits(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class Int64ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = Int64ModelMultipleChoiceField


_INTEGERS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)

FILTER_DEFAULTS = deepcopy(filterset.FILTER_FOR_DBFIELD_DEFAULTS)
FILTER_DEFAULTS.update({field: {"filter_class": Int64Filter} for field in _INTEGERS})
for relation, filter_class in [
    (models.ForeignKey, Int64ModelChoiceFilter),
    (models.OneToOneField, Int64ModelChoiceFilter),
    (models.OneToOneRel, Int64ModelChoiceFilter),
    (models.ManyToManyField, Int64ModelMultipleChoiceFilter),
    (models.ManyToOneRel, Int64ModelMultipleChoiceFilter),
    (models.ManyToManyRel, Int64ModelMultipleChoiceFilter),
]:
    FILTER_DEFAULTS[relation] = {**FILTER_DEFAULTS[relation], "filter_class": filter_class}


class FilterSet(filterset.FilterSet):
    """The API's FilterSet: filters generated from Meta.fields bound their integers and ids.

    A filter declared by hand on an integer or an id uses ``Int64Filter``,
    ``Int64ModelChoiceFilter`` or ``Int64ModelMultipleChoiceFilter``.
    """

    FILTER_DEFAULTS = FILTER_DEFAULTS
