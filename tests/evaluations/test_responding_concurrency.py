"""Answers sent at once on PostgreSQL: one response per code, and none lost among many codes."""

import pytest
from django.db.models import Count

from evaluations.codes import InvitationRefused
from evaluations.models import Answer, Invitation, Response
from evaluations.services.responding import response_submit
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)
pytest_plugins = ["tests.evaluations.responding_fixtures"]

AT_ONCE = 50


def test_fifty_submissions_of_one_code_at_once_store_one_response(code, full_answers):
    def submit():
        try:
            response_submit(code=code, answers=full_answers, comment="")
        except InvitationRefused as refused:
            return "used" if refused.used else "refused"
        return "stored"

    outcomes = at_once(submit, AT_ONCE)
    assert sorted(outcomes) == ["stored"] + ["used"] * (AT_ONCE - 1)
    assert Response.objects.count() == 1
    assert Answer.objects.count() == len(full_answers)
    # Used once: one history row for the batch, one for the use.
    assert Invitation.history.filter(code=code).count() == 2


def test_fifty_codes_answered_at_once_each_count_exactly_once(make_codes, full_answers, appraised):
    codes = iter(make_codes(AT_ONCE))
    # Each thread takes the next code; next() on a shared iterator is atomic under the GIL.
    outcomes = at_once(lambda: response_submit(code=next(codes), answers=full_answers, comment="").pk, AT_ONCE)
    assert len(set(outcomes)) == AT_ONCE
    assert Response.objects.filter(appraised_unit=appraised.bureau).count() == AT_ONCE
    answers_per_response = Answer.objects.values("response").annotate(n=Count("pk")).values_list("n", flat=True)
    assert set(answers_per_response) == {len(full_answers)}
    assert not Invitation.objects.filter(used_at__isnull=True).exists()
