import pytest
from django.utils import translation

from complaints import transitions as t
from complaints.models import Category, Complaint, Finding
from responsibility.models import PositionKind
from tests.factories import PositionFactory, UserFactory, complaint_filed


@pytest.fixture
def category(db):
    return Category.objects.add_root({"code": "fees", "name": "乱收费"})


@pytest.fixture
def file_complaint(category):
    """File through the service, as a petitioner would; returns (complaint, code)."""

    def file(*, subject_unit, anonymous=True, **overrides):
        return complaint_filed(**({"category": category} | overrides), subject_unit=subject_unit, anonymous=anonymous)

    return file


@pytest.fixture(autouse=True)
def english_messages():
    # These tests read the services' error messages in their source language.
    with translation.override("en"):
        yield


DECISION = {"finding": Finding.SUBSTANTIATED, "disposition": "责令退还费用", "reply": "经查属实，已责令退还。"}


# A case about the school at each stage, moved there through the services by the cast.
@pytest.fixture
def submitted(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    return complaint


@pytest.fixture
def accepted(cast, submitted):
    return t.complaint_accept(complaint_id=submitted.pk, actor=cast.county_officer)


@pytest.fixture
def investigating(cast, accepted):
    return t.complaint_start_investigation(complaint_id=accepted.pk, actor=cast.bureau_officer)


@pytest.fixture
def pending(cast, investigating):
    return t.complaint_submit_for_approval(complaint_id=investigating.pk, actor=cast.bureau_officer, **DECISION)


@pytest.fixture
def resolved(cast, pending):
    return t.complaint_approve(complaint_id=pending.pk, actor=cast.bureau_leader, note="同意")


@pytest.fixture
def county_principal(cast):
    """A second leader of the county: where no unit is above, the county's leadership reviews,
    and one of its leaders approves what another decided."""
    leader = UserFactory(username="county-principal")
    PositionFactory(user=leader, unit=cast.units.county, kind=PositionKind.PRINCIPAL)
    return leader


@pytest.fixture
def review_decide(cast, county_principal):
    """Decide the review the school's case is in, approved: the 复查 by the county's officer (the
    county is above the bureau), the 复核 by the county's leadership (nothing is above the county)."""

    def decide(complaint_id: int, **decision):
        decision = decision or DECISION
        complaint = Complaint.objects.get(pk=complaint_id)
        if complaint.review_round == 1:
            t.complaint_decide_review(complaint_id=complaint_id, actor=cast.county_officer, **decision)
            return t.complaint_approve(complaint_id=complaint_id, actor=cast.county_leader)
        t.complaint_decide_review(complaint_id=complaint_id, actor=cast.county_leader, **decision)
        return t.complaint_approve(complaint_id=complaint_id, actor=county_principal)

    return decide
