import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    # These tests read the services' error messages in their source language; pages set
    # their own language per request (the cookie), so this does not touch them.
    with translation.override("en"):
        yield
