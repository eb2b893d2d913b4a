"""The audit tests' case: filed and accepted through the services, its history sealed or not yet."""

import pytest

from audit.chain import chained_tables, seal
from complaints import transitions as t
from complaints.models import Category, Complaint
from tests.factories import complaint_filed


@pytest.fixture
def accepted(cast):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    complaint, _code = complaint_filed(category=category, subject_unit=cast.units.school)
    return t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer, note="受理")


@pytest.fixture
def sealed(accepted):
    seal()
    return accepted


def table(model) -> object:
    """The chained table of ``model``, as the sealer sees it."""
    return next(table for table in chained_tables() if table.model is model)


def complaint_history():
    return table(Complaint.history.model)
