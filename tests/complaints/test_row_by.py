"""jiufeng.rows.row_by: a row read by a unique column is the instance the ORM would give."""

import pytest
from django.forms.models import model_to_dict

from complaints.models import Complaint
from jiufeng.rows import row_by
from responsibility.models import Unit

pytestmark = pytest.mark.django_db


def test_a_row_read_by_a_unique_column_equals_what_the_orm_reads(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    read = row_by(Complaint, "tracking_code_hash", complaint.tracking_code_hash)
    by_orm = Complaint.objects.get(pk=complaint.pk)
    fields = [field.attname for field in Complaint._meta.concrete_fields]
    assert [getattr(read, name) for name in fields] == [getattr(by_orm, name) for name in fields]
    assert not read._state.adding and read._state.db == "default"
    root = row_by(Unit, "path", cast.units.school.path[: Unit.steplen])
    assert model_to_dict(root) == model_to_dict(cast.units.county)


def test_no_row_is_none():
    assert row_by(Unit, "path", "ZZZZ") is None
    assert row_by(Complaint, "id", 2**62) is None


def test_a_cases_records_read_with_their_users_equal_what_the_orm_reads(cast, file_complaint):
    from complaints.models import TransitionLog
    from complaints.selectors import complaint_records

    complaint, _code = file_complaint(subject_unit=cast.units.school, actor=cast.county_officer, channel="hotline")
    TransitionLog.objects.create(complaint=complaint, name="accept", from_status="submitted", to_status="accepted")
    read = complaint_records(complaint=complaint, model=TransitionLog, order=("at",), users=("actor",))
    by_orm = list(TransitionLog.objects.filter(complaint=complaint).order_by("at", "id"))
    assert [model_to_dict(row) for row in read] == [model_to_dict(row) for row in by_orm]
    assert all(not row._state.adding and row._state.db == "default" for row in read)
    assert read[0].actor.username == "county-officer" and read[1].actor_id is None
