import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from complaints.models import Complaint, ComplaintStatus, PetitionerIdentity, TransitionLog
from complaints.tracking import (
    ALPHABET,
    complaint_by_tracking_code,
    tracking_code_hash,
    tracking_code_new,
    tracking_code_normalise,
)
from responsibility.models import Deadline, DeadlineKind

pytestmark = pytest.mark.django_db


def test_a_tracking_code_has_80_random_bits_grouped_for_reading_aloud():
    code = tracking_code_new()
    prefix, *groups = code.split("-")
    assert prefix == "JF"
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    symbols = "".join(groups)
    assert set(symbols) <= set(ALPHABET)
    assert len(ALPHABET) ** len(symbols) >= 2**80
    assert not set("ILOU") & set(ALPHABET)
    assert len({tracking_code_new() for _ in range(1000)}) == 1000


def test_a_tracking_code_is_found_however_it_is_typed():
    code = "JF-7K3M-Q9XD-2WPA-HT61"
    typed = [" jf 7k3m q9xd 2wpa ht6l ", "7K3MQ9XD2WPAHT6I", "JF7K3M-Q9XD-2WPA-HT61"]
    assert {tracking_code_normalise(t) for t in typed} == {"7K3MQ9XD2WPAHT61"}
    assert tracking_code_normalise("JF-0O00-0000-0000-0000") == "0" * 16
    assert {tracking_code_hash(t) for t in typed} == {tracking_code_hash(code)}


@pytest.mark.parametrize(
    "typed", ["", "JF-", "JF-7K3M-Q9XD-2WPA", "JF-7K3M-Q9XD-2WPA-HT6C-XXXX", "JF-7K3M-Q9XD-2WPA-HT6!"]
)
def test_what_cannot_be_a_code_finds_nothing(typed):
    assert tracking_code_hash(typed) is None
    assert complaint_by_tracking_code(typed) is None


def test_filing_stores_only_the_hash_of_the_code(cast, file_complaint):
    complaint, code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    assert complaint_by_tracking_code(code.lower()) == complaint
    symbols = tracking_code_normalise(code)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM complaints_complaint WHERE id = %s", [complaint.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
        cursor.execute("SELECT * FROM complaints_historicalcomplaint WHERE id = %s", [complaint.pk])
        history = " ".join(str(value) for r in cursor.fetchall() for value in r)
    assert complaint.tracking_code_hash in row
    for text in (row, history):
        assert code not in text
        assert symbols not in text


def test_filing_opens_the_acceptance_deadline_at_the_county_and_logs_it(cast, file_complaint):
    received = timezone.now() - datetime.timedelta(days=3)
    complaint, _code = file_complaint(subject_unit=cast.units.school, channel="letter", received_at=received)
    assert complaint.status == ComplaintStatus.SUBMITTED
    deadline = Deadline.objects.get(object_id=complaint.pk, kind=DeadlineKind.COMPLAINT_ACCEPT)
    assert deadline.unit == cast.units.county
    assert deadline.due_at == received + datetime.timedelta(days=15)
    log = TransitionLog.objects.get(complaint=complaint)
    assert (log.name, log.from_status, log.to_status, log.actor) == ("file", "", "submitted", None)
    assert complaint.history.count() == 1


def test_a_real_name_filing_keeps_the_identity_apart(cast, file_complaint):
    complaint, _code = file_complaint(
        subject_unit=None, anonymous=False, phone="138 0013 8000", id_number="11010519491231002x", email="z@example.cn"
    )
    identity = PetitionerIdentity.objects.get(complaint=complaint)
    assert (identity.name, identity.phone, identity.id_number) == ("张三", "13800138000", "11010519491231002X")
    field_names = {f.name for f in Complaint._meta.get_fields()}
    assert not field_names & {"name", "phone", "id_number", "email"}
    assert identity.history.count() == 1


def test_an_intake_records_its_officer_on_every_row_it_writes_and_each_row_knows_its_id(cast, file_complaint):
    # The case, its identity, its deadline and its log, each with who wrote it.
    officer = cast.county_officer
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False, channel="hotline", actor=officer)
    identity = PetitionerIdentity.objects.get(complaint=complaint)
    deadline = Deadline.objects.get(object_id=complaint.pk, kind=DeadlineKind.COMPLAINT_ACCEPT)
    log = TransitionLog.objects.get(complaint=complaint)
    assert complaint.identity.pk == identity.pk
    assert log.actor == officer
    for row, reason in [(complaint, "file"), (identity, None), (deadline, None)]:
        history = row.history.get()
        assert (history.history_type, history.history_user_id, history.history_change_reason) == (
            "+",
            officer.pk,
            reason,
        )
        assert history.instance == row
    assert deadline.opened_at == deadline.history.get().opened_at


def test_an_anonymous_filing_creates_no_identity(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=True, name="张三", phone="13800138000")
    assert not PetitionerIdentity.objects.filter(complaint=complaint).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"content": ""}, "content"),
        ({"content": "x" * 100_000}, "content"),
        ({"title": "t" * 201}, "title"),
        ({"anonymous": False, "name": "张三", "phone": ""}, "phone"),
        ({"anonymous": False, "name": "", "phone": "13800138000"}, "name"),
        ({"anonymous": False, "name": "张三", "phone": "12345"}, "phone"),
        ({"anonymous": False, "name": "张三", "phone": "<script>"}, "phone"),
        ({"anonymous": False, "name": "张三", "phone": "13800138000", "id_number": "110105194912310021"}, "id_number"),
        ({"anonymous": False, "name": "张三", "phone": "13800138000", "email": "not-an-email"}, "email"),
        ({"occurred_on": datetime.date.today() + datetime.timedelta(days=2)}, "occurred_on"),
        ({"received_at": timezone.now() + datetime.timedelta(hours=1)}, "received_at"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(cast, file_complaint, overrides, field):
    with pytest.raises(ValidationError) as refused:
        file_complaint(subject_unit=cast.units.school, **overrides)
    assert field in refused.value.message_dict
    assert not Complaint.objects.exists()
    assert not Deadline.objects.exists()


def test_landlines_are_accepted(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False, phone="0571-87654321")
    assert complaint.identity.phone == "0571-87654321"


def test_an_inactive_category_or_unit_is_refused(cast, file_complaint, category):
    category.is_active = False
    category.save()
    cast.units.school.is_active = False
    cast.units.school.save()
    with pytest.raises(ValidationError) as refused:
        file_complaint(subject_unit=cast.units.school)
    assert set(refused.value.message_dict) == {"category", "subject_unit"}
