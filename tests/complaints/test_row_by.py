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
