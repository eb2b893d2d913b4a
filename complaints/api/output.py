"""Serializers built once per process, for responses and for parsing input.

DRF deep-copies every declared field each time a serializer is made: 0.3 to 0.8 ms per
response on the filing and the tracking lookup, which a rush calls thousands of times,
and as much again for the filing's input. A serializer that reads no context renders and
validates the same from one instance: ``to_representation`` and ``run_validation`` keep
no state between calls (``is_valid`` does, on the instance, so it is not used on it).
"""

import functools

from rest_framework import serializers


@functools.cache
def built(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """The one instance of ``serializer_class`` (without data or context) shared by every call."""
    return serializer_class()


def rendered(serializer_class: type[serializers.Serializer], data) -> dict:
    """What ``serializer_class(data).data`` gives, for a serializer that reads no context."""
    return built(serializer_class).to_representation(data)
