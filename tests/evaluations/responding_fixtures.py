"""An appraisal open for responses, and slips of codes for its units (tests of answering with a code)."""

import pytest

from evaluations.models import EvaluatorGroup
from evaluations.services.appraisals import appraisal_open
from evaluations.services.responding import invitation_batch_create


@pytest.fixture
def opened(appraisal, cast):
    return appraisal_open(actor=cast.county_officer, appraisal_id=appraisal.pk)


@pytest.fixture
def items(opened):
    """The questionnaire's items by text: 工作作风 (40, three levels), 服务态度 (30), 办事效率 (30, five points)."""
    return {item.text: item for item in opened.questionnaire.items.all()}


@pytest.fixture
def make_codes(opened, appraised, cast):
    """``make_codes(count, unit="bureau", group=service_user)``: fresh codes for slips."""

    def make(count: int = 1, unit: str = "bureau", group: str = EvaluatorGroup.SERVICE_USER) -> list[str]:
        made = invitation_batch_create(
            actor=cast.county_officer,
            appraisal_id=opened.pk,
            appraised_unit_id=getattr(appraised, unit).pk,
            group=group,
            count=count,
        )
        return [invitation.code for invitation in made]

    return make


@pytest.fixture
def code(make_codes) -> str:
    return make_codes(1)[0]


@pytest.fixture
def full_answers(items) -> dict[int, int]:
    """满意, 基本满意, 4 of 5: 100×40 + 60×30 + 75×30 over 100 = 80.50."""
    return {items["工作作风"].pk: 3, items["服务态度"].pk: 2, items["办事效率"].pk: 4}
