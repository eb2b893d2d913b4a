"""Cases for the transparency page's tests: decided through the services, as the cast would."""

import datetime

from django.utils import timezone

from complaints import transitions as t
from complaints.models import Complaint, Finding, MeasureKind, RatingValue
from complaints.services import rating_add
from complaints.typical_cases import typical_case_publish, typical_case_submit, typical_case_write
from tests.complaints.conftest import DECISION

# The petitioner of the real-name cases (tests.factories.complaint_filed) and the text filed.
NAME, PHONE = "张三", "13800138000"
CONTENT = "班主任要求每人交200元购买指定资料。"


def decided(
    cast, complaint, *, finding=Finding.SUBSTANTIATED, rule: str = "", rating=RatingValue.SATISFIED, handling_unit=None
):
    """Accepted by the county 纠风办, investigated and approved by the unit the routing (or ``handling_unit``)
    gives, then rated."""
    accept = {"handling_unit": handling_unit} if handling_unit else {}
    complaint = t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer, **accept)
    in_bureau = complaint.handling_unit_id == cast.units.bureau.pk
    investigator = cast.bureau_officer if in_bureau else cast.county_officer
    approver = cast.bureau_leader if in_bureau else cast.county_leader
    measures = []
    if rule:
        due_on = timezone.localdate() + datetime.timedelta(days=30)
        measures = [
            {
                "kind": MeasureKind.RULE,
                "description": rule,
                "responsible_unit": complaint.subject_unit,
                "due_on": due_on,
            }
        ]
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=investigator)
    t.complaint_submit_for_approval(
        complaint_id=complaint.pk, actor=investigator, measures=measures, **(DECISION | {"finding": finding})
    )
    t.complaint_approve(complaint_id=complaint.pk, actor=approver)
    if rating:
        rating_add(complaint_id=complaint.pk, rating=rating, comment="")
    return Complaint.objects.get(pk=complaint.pk)


def published(
    cast,
    complaint,
    *,
    title="学校强制订购教辅被责令退费",
    account="某中学要求学生购买指定教辅，经查属实，已责令全额退还。",
):
    """The bureau's officer writes the typical case, its principal publishes it."""
    typical_case = typical_case_write(
        actor=cast.bureau_officer, complaint_id=complaint.pk, title=title, account=account
    )
    typical_case_submit(actor=cast.bureau_officer, typical_case_id=typical_case.pk)
    return typical_case_publish(actor=cast.bureau_leader, typical_case_id=typical_case.pk)
