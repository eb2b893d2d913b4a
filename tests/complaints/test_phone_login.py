"""A real-name petitioner proves their phone by SMS code and sees every case filed with it."""

import re

import pytest
from django.urls import reverse

from jiufeng.models import OutboxMessage
from tests.jiufeng.outbox_helpers import messages_to

pytestmark = pytest.mark.django_db

PHONE = "13800138000"


@pytest.fixture
def filed(cast, file_complaint):
    mine = [
        file_complaint(subject_unit=cast.units.school, anonymous=False, phone=p)[0]
        for p in (PHONE, "+86 138 0013 8000")
    ]
    other, _code = file_complaint(subject_unit=cast.units.school, anonymous=False, phone="13900139000")
    return mine, other


def _sms_code() -> str:
    message = messages_to(PHONE, OutboxMessage.objects.filter(channel="sms", notification=None))[-1]
    return re.search(r"\d{6}", message.body).group()


def _ask(client, phone=PHONE):
    return client.post(reverse("complaints:phone-login"), {"phone": phone})


def test_a_petitioner_sees_all_their_cases_and_opens_one_without_its_code(client, filed):
    mine, other = filed
    response = _ask(client)
    assert response.status_code == 200 and 'data-testid="code-sent"' in response.content.decode()
    response = client.post(reverse("complaints:phone-login"), {"phone": PHONE, "code": _sms_code()})
    assert response.url == reverse("complaints:phone-cases")
    page = client.get(response.url).content.decode()
    assert all(case.title in page for case in mine)
    assert page.count('data-testid="phone-case"') == 2
    opened = client.post(reverse("complaints:phone-case-open", args=[mine[1].pk]))
    assert opened.url == reverse("complaints:complaint-track-detail", args=[mine[1].pk])
    assert client.get(opened.url).status_code == 200
    # Another person's case cannot be opened through this number.
    refused = client.post(reverse("complaints:phone-case-open", args=[other.pk]))
    assert refused.url == reverse("complaints:phone-login")
    assert client.get(reverse("complaints:complaint-track-detail", args=[other.pk])).status_code == 302


def test_a_number_that_never_filed_gets_the_same_answer_and_no_text(client, filed):
    assert not messages_to("13700137000")
    response = _ask(client, phone="13700137000")
    assert 'data-testid="code-sent"' in response.content.decode()
    assert not messages_to("13700137000")


@pytest.mark.parametrize("phone", ["", "12345", "010-12345678", "<script>alert(1)</script>", "1" * 200])
def test_a_malformed_number_is_refused_with_a_message(client, filed, phone):
    before = OutboxMessage.objects.count()
    response = _ask(client, phone=phone)
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="code-sent"' not in body
    assert 'data-testid="error-phone"' in body
    assert "<script>alert(1)</script>" not in body
    assert OutboxMessage.objects.count() == before


def test_five_wrong_codes_burn_the_code(client, filed):
    _ask(client)
    code = _sms_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = client.post(reverse("complaints:phone-login"), {"phone": PHONE, "code": wrong})
        assert response.status_code == 200
    response = client.post(reverse("complaints:phone-login"), {"phone": PHONE, "code": code})
    assert response.status_code == 200, "the right code no longer works after five wrong ones"
    assert client.get(reverse("complaints:phone-cases")).url == reverse("complaints:phone-login")


def test_asking_for_codes_too_often_is_refused(client, filed, settings):
    settings.JIUFENG_PHONE_CODES_PER_NUMBER = "2/10m"
    before = len(messages_to(PHONE))
    assert _ask(client).status_code == 200
    assert _ask(client).status_code == 200
    response = _ask(client)
    assert response.status_code == 429
    assert len(messages_to(PHONE)) == before + 2


def test_forgetting_the_number_ends_the_proof(client, filed):
    _ask(client)
    client.post(reverse("complaints:phone-login"), {"phone": PHONE, "code": _sms_code()})
    client.post(reverse("complaints:phone-logout"))
    assert client.get(reverse("complaints:phone-cases")).url == reverse("complaints:phone-login")
