"""jiufeng.rows: rows read in prepared SQL are the instances the ORM would give."""

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


def test_rows_joined_equal_select_related(cast, file_complaint):
    from complaints.selectors import complaint_deadlines
    from complaints.transitions import complaint_accept
    from jiufeng.rows import rows_joined
    from responsibility.deadlines import deadlines_of

    complaint, _code = file_complaint(subject_unit=cast.units.school)
    unknown_unit, _code = file_complaint(subject_unit=None)
    related = ("category", "subject_unit", "handling_unit")
    for case in (complaint, unknown_unit):
        (read,) = rows_joined(Complaint, related, {"id": case.pk})
        by_orm = Complaint.objects.select_related(*related).get(pk=case.pk)
        assert model_to_dict(read) == model_to_dict(by_orm) and not read._state.adding
        for name in related:
            # Read with the row: no query when followed, and None where the key is.
            assert name in read._state.fields_cache
            mine, theirs = getattr(read, name), getattr(by_orm, name)
            assert (mine and model_to_dict(mine)) == (theirs and model_to_dict(theirs))
    assert unknown_unit.subject_unit is None and complaint.handling_unit is None

    complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    read = complaint_deadlines(complaint=complaint)
    by_orm = list(deadlines_of(target=complaint).select_related("unit"))
    assert [row.kind for row in read] == ["complaint_accept", "complaint_resolve"]
    assert [(model_to_dict(row), model_to_dict(row.unit)) for row in read] == [
        (model_to_dict(row), model_to_dict(row.unit)) for row in by_orm
    ]
