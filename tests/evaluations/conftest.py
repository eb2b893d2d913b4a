"""An appraisal organised by the county, of the bureau, its school and the sibling bureau."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from evaluations.models import QuestionItem, Questionnaire, Scale
from evaluations.services.appraisals import appraisal_create, appraisal_units_add


@pytest.fixture
def questionnaire(cast):
    questionnaire = Questionnaire.objects.create(name="政风行风评议问卷", created_by=cast.county_officer)
    for position, (text, weight, scale) in enumerate(
        [
            ("工作作风", 40, Scale.THREE_LEVEL),
            ("服务态度", 30, Scale.THREE_LEVEL),
            ("办事效率", 30, Scale.FIVE_POINT),
        ],
        start=1,
    ):
        QuestionItem.objects.create(
            questionnaire=questionnaire, position=position, text=text, weight=weight, scale=scale
        )
    return questionnaire


@pytest.fixture
def appraisal(cast, questionnaire):
    """A draft: responses for two weeks from now, figures of the calendar year."""
    now = timezone.now()
    appraisal = appraisal_create(
        actor=cast.county_officer,
        organiser=cast.units.county,
        questionnaire=questionnaire,
        name="2026年度民主评议政风行风",
        year=2026,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=14),
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    units = cast.units
    appraisal_units_add(
        actor=cast.county_officer, appraisal_id=appraisal.pk, units=[units.bureau, units.sibling], ranking_group="部门"
    )
    appraisal_units_add(
        actor=cast.county_officer, appraisal_id=appraisal.pk, units=[units.school], ranking_group="窗口"
    )
    return appraisal


@pytest.fixture
def appraised(appraisal, cast):
    """The appraisal's units by name: bureau, sibling, school."""
    by_unit = {appraised.unit_id: appraised for appraised in appraisal.appraised_units.all()}
    units = cast.units
    return SimpleNamespace(
        bureau=by_unit[units.bureau.pk], sibling=by_unit[units.sibling.pk], school=by_unit[units.school.pk]
    )
