"""复查 and 复核 one level up (信访工作条例 arts. 35–36), each decision approved by a leader.

The cast's bureau handles a case about its school: the 复查 goes to the county above it, the
复核 to the level above the county, of which there is none, so the county's leadership
decides it (docs/domain-rules.md, "Reviews").
"""

import importlib
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django_fsm import TransitionNotAllowed

from complaints import transitions as t
from complaints.models import Complaint, ComplaintStatus, Finding, RatingValue, TransitionLog
from complaints.permissions import can_decide_review
from complaints.routing import reviewing_unit_for, unit_above
from complaints.selectors import complaint_findings_to_approve_for_user, complaint_inbox_for_user
from complaints.services import rating_add
from jiufeng.models import Notification, OutboxMessage
from responsibility.models import Deadline, DeadlineKind, PositionKind, UnitKind
from tests.factories import PositionFactory, UserFactory, unit_add

from .conftest import DECISION
from .test_pages_staff_helpers import as_user, case_url, fire, measures, queries

pytestmark = pytest.mark.django_db

REVIEWED = {"finding": Finding.PARTLY_SUBSTANTIATED, "disposition": "复查：退还部分费用", "reply": "复查认为部分属实。"}


def _open_review(complaint) -> Deadline:
    return Deadline.objects.get(object_id=complaint.pk, kind=DeadlineKind.COMPLAINT_REVIEW, met_at=None)


def _names(complaint) -> list[str]:
    return list(TransitionLog.objects.filter(complaint=complaint).order_by("at", "pk").values_list("name", flat=True))


def test_the_ladder_runs_on_postgresql():
    # The ladder's queries (the inbox's OR over three units, the partial index) are PostgreSQL's in production.
    assert connection.vendor == "postgresql"


def test_review_is_decided_one_level_up_and_approved_before_the_petitioner_sees_it(cast, resolved):
    complaint = t.complaint_review(complaint_id=resolved.pk, reason="退费不全")
    assert (complaint.status, complaint.review_round) == (ComplaintStatus.UNDER_REVIEW, 1)
    assert (complaint.reviewing_unit, complaint.review_by_leaders) == (cast.units.county, False)
    # The handling unit stays as it was; the review's time is owed by the county.
    assert complaint.handling_unit == cast.units.bureau
    assert _open_review(complaint).unit == cast.units.county
    # The reviewing unit's staff have it waiting; the bureau's no longer.
    assert complaint in complaint_inbox_for_user(user=cast.county_officer)
    assert complaint not in complaint_inbox_for_user(user=cast.bureau_officer)
    assert Notification.objects.filter(recipient=cast.county_officer, subject__contains="复查").exists()

    complaint = t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_officer, **REVIEWED)
    assert complaint.status == ComplaintStatus.PENDING_APPROVAL
    assert complaint.approval_requested_by == cast.county_officer
    # Not yet the petitioner's: the review's deadline still runs, no reply released.
    assert not complaint.decision_released
    assert _open_review(complaint).unit == cast.units.county
    # A leader of the county approves it; the bureau's leader may not.
    assert complaint in complaint_findings_to_approve_for_user(user=cast.county_leader)
    assert complaint not in complaint_findings_to_approve_for_user(user=cast.bureau_leader)
    with pytest.raises(PermissionDenied):
        t.complaint_approve(complaint_id=resolved.pk, actor=cast.bureau_leader)

    complaint = t.complaint_approve(complaint_id=resolved.pk, actor=cast.county_leader, note="同意")
    assert complaint.status == ComplaintStatus.RESOLVED
    assert complaint.decision_released
    assert complaint.reply == REVIEWED["reply"]
    assert not Deadline.objects.filter(object_id=complaint.pk, kind=DeadlineKind.COMPLAINT_REVIEW, met_at=None)
    assert complaint.status_label() == "Review decided"
    assert _names(complaint)[-3:] == ["review", "decide_review", "approve"]


def test_re_review_goes_a_level_higher_and_at_the_root_its_leadership_decides(cast, resolved, county_principal):
    t.complaint_review(complaint_id=resolved.pk, reason="退费不全")
    t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_officer, **REVIEWED)
    t.complaint_approve(complaint_id=resolved.pk, actor=cast.county_leader)

    complaint = t.complaint_review(complaint_id=resolved.pk, reason="仍不满意")
    assert (complaint.review_round, complaint.reviewing_unit, complaint.review_by_leaders) == (
        2,
        cast.units.county,
        True,
    )
    assert complaint.status_label() == "Under re-review"
    # No unit is above the county: its staff may not decide, its leaders do.
    assert not can_decide_review(cast.county_officer, complaint)
    with pytest.raises(PermissionDenied):
        t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_officer, **DECISION)
    complaint = t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_leader, **DECISION)
    # Never approved by who decided it: another leader of the county.
    with pytest.raises(PermissionDenied):
        t.complaint_approve(complaint_id=resolved.pk, actor=cast.county_leader)
    complaint = t.complaint_approve(complaint_id=resolved.pk, actor=county_principal)
    assert complaint.status == ComplaintStatus.RESOLVED
    assert complaint.status_label() == "Re-review decided: final"

    # A third review: 409, nothing changes.
    with pytest.raises(TransitionNotAllowed, match="no further review"):
        t.complaint_review(complaint_id=resolved.pk, reason="第三次")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.review_round) == (ComplaintStatus.RESOLVED, 2)
    assert _names(complaint).count("review") == 2


def test_the_original_handling_unit_may_not_decide_the_review(cast, resolved):
    t.complaint_review(complaint_id=resolved.pk, reason="退费不全")
    for who in (cast.bureau_officer, cast.bureau_leader):
        with pytest.raises(PermissionDenied, match="Only the reviewing unit"):
            t.complaint_decide_review(complaint_id=resolved.pk, actor=who, **DECISION)
    complaint = Complaint.objects.get(pk=resolved.pk)
    assert (complaint.status, complaint.finding, complaint.approval_requested_by) == (
        ComplaintStatus.UNDER_REVIEW,
        Finding.SUBSTANTIATED,
        None,
    )
    assert "decide_review" not in _names(complaint)


def test_a_review_decision_is_never_approved_by_who_submitted_it(cast, resolved):
    # The county leader may handle in the county: submitting, it may not approve its own.
    t.complaint_review(complaint_id=resolved.pk, reason="退费不全")
    t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_leader, **REVIEWED)
    with pytest.raises(PermissionDenied):
        t.complaint_approve(complaint_id=resolved.pk, actor=cast.county_leader)
    assert Complaint.objects.get(pk=resolved.pk).status == ComplaintStatus.PENDING_APPROVAL


def test_a_sent_back_review_decision_returns_to_the_review(cast, resolved):
    t.complaint_review(complaint_id=resolved.pk, reason="退费不全")
    t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_officer, **REVIEWED)
    complaint = t.complaint_send_back(complaint_id=resolved.pk, actor=cast.county_leader, reason="再核实")
    assert complaint.status == ComplaintStatus.UNDER_REVIEW
    # The sent-back proposal is not the petitioner's answer.
    assert not complaint.decision_released
    complaint = t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_officer, **REVIEWED)
    assert complaint.status == ComplaintStatus.PENDING_APPROVAL


def test_a_case_the_root_handled_is_reviewed_by_the_root_leadership(cast, file_complaint, county_principal):
    complaint, _code = file_complaint(subject_unit=cast.units.bureau)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer, handling_unit=cast.units.county)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.county_officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.county_leader)

    reviewed = t.complaint_review(complaint_id=complaint.pk, reason="不满意")
    assert (reviewed.reviewing_unit, reviewed.review_by_leaders) == (cast.units.county, True)
    with pytest.raises(PermissionDenied):
        t.complaint_decide_review(complaint_id=complaint.pk, actor=cast.county_officer, **REVIEWED)
    t.complaint_decide_review(complaint_id=complaint.pk, actor=county_principal, **REVIEWED)
    done = t.complaint_approve(complaint_id=complaint.pk, actor=cast.county_leader)
    assert done.status == ComplaintStatus.RESOLVED


def test_above_is_the_supervising_unit_then_the_remit_then_the_parent(cast):
    units = cast.units
    assert unit_above(units.school) == units.bureau
    assert unit_above(units.county) is None
    units.school.supervising_unit = units.sibling
    units.school.save()
    assert reviewing_unit_for(units.school) == (units.sibling, False)
    # A unit working on the whole county (the 纠风办) acts for it: nothing is above it.
    units.sibling.remit_unit = units.county
    units.sibling.save()
    assert reviewing_unit_for(units.sibling) == (units.county, True)


def test_a_supervising_reviewer_sees_and_decides_the_case_outside_its_subtree(cast, file_complaint):
    # 谁主管谁负责: a township clinic sits under its township, the health bureau (the cast's
    # sibling) supervises it. A case about its village post, handled by the clinic, goes for
    # 复查 to the health bureau, in whose subtree neither unit sits.
    township = unit_add(parent=cast.units.county, name="石桥镇人民政府", kind=UnitKind.TOWNSHIP)
    clinic = unit_add(parent=township, name="石桥镇卫生院", kind=UnitKind.INSTITUTION)
    village = unit_add(parent=clinic, name="石桥村卫生室", kind=UnitKind.INSTITUTION)
    clinic.supervising_unit = cast.units.sibling
    clinic.save()
    health_officer, health_leader = UserFactory(username="health-officer"), UserFactory(username="health-leader")
    PositionFactory(user=health_officer, unit=cast.units.sibling, kind=PositionKind.LIAISON)
    PositionFactory(user=health_leader, unit=cast.units.sibling, kind=PositionKind.PRINCIPAL)
    complaint, _code = file_complaint(subject_unit=village)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer, handling_unit=clinic)
    assert not Complaint.objects.visible_to(health_officer).filter(pk=complaint.pk).exists()
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.county_officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.county_leader)

    reviewed = t.complaint_review(complaint_id=complaint.pk, reason="不满意")
    assert reviewed.reviewing_unit == cast.units.sibling
    assert Complaint.objects.visible_to(health_officer).filter(pk=complaint.pk).exists()
    assert reviewed in complaint_inbox_for_user(user=health_officer)
    t.complaint_decide_review(complaint_id=complaint.pk, actor=health_officer, **REVIEWED)
    assert t.complaint_approve(complaint_id=complaint.pk, actor=health_leader).status == ComplaintStatus.RESOLVED


def test_sms_names_the_round(cast, file_complaint, county_principal):
    complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False)
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    t.complaint_submit_for_approval(complaint_id=complaint.pk, actor=cast.bureau_officer, **DECISION)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader)
    OutboxMessage.objects.all().delete()

    t.complaint_review(complaint_id=complaint.pk, reason="退费不全")
    t.complaint_decide_review(complaint_id=complaint.pk, actor=cast.county_officer, **REVIEWED)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.county_leader)
    t.complaint_review(complaint_id=complaint.pk, reason="仍不满意")
    t.complaint_decide_review(complaint_id=complaint.pk, actor=cast.county_leader, **REVIEWED)
    t.complaint_approve(complaint_id=complaint.pk, actor=county_principal)

    sms = list(
        OutboxMessage.objects.filter(channel="sms", notification__isnull=True)
        .order_by("pk")
        .values_list("body", flat=True)
    )
    assert len(sms) == 4
    asked, decided, re_asked, final = sms
    # In the office's language, as sent.
    assert "复查" in asked and "测试县" in asked
    assert "复查意见" in decided and "可在30日内申请复核" in decided
    assert "复核" in re_asked and "最终" in re_asked
    assert "复核意见" in final and "不再受理" in final and "申请" not in final


# --- The pages ----------------------------------------------------------------------------


def test_the_reviewing_unit_sees_what_it_decides_on_and_the_unit_reviewed_is_refused(client, cast, resolved):
    rating_add(complaint_id=resolved.pk, rating=RatingValue.DISSATISFIED, comment="只退了一半")
    as_user(client, cast.county_officer)
    answered = queries(client, case_url(resolved))
    t.complaint_review(complaint_id=resolved.pk, reason="退费不全，要求复查")
    complaint = Complaint.objects.get(pk=resolved.pk)
    # The decision form reads its measures' units (1, as on the case page before approval); the
    # review panel's rating comes with the timeline's ratings, no query of its own.
    assert queries(client, case_url(complaint)) == answered + 1

    page = client.get(case_url(complaint)).content.decode()
    panel = page[page.index('data-testid="review-panel"') :]
    assert "测试县" in panel[: panel.index("</section>")]
    assert "退费不全，要求复查" in panel and "只退了一半" in panel and "Dissatisfied" in panel
    # The original finding and reply, as decided, are shown as the decision under review.
    assert "经查属实，已责令退还。" in page
    assert 'data-testid="action-decide_review"' in page
    assert "Decide the review (复查)" in page

    # The bureau's officer is not offered the decision, and posting it anyway is refused, saying why.
    as_user(client, cast.bureau_officer)
    assert 'data-testid="action-decide_review"' not in client.get(case_url(complaint)).content.decode()
    refused = fire(client, complaint, "decide_review", dict(REVIEWED), **measures("decide_review", []))
    assert refused.status_code == 403
    assert "Only the reviewing unit (测试县)" in unescape(refused.content.decode())
    assert Complaint.objects.get(pk=resolved.pk).status == ComplaintStatus.UNDER_REVIEW

    # The county decides; the letter of the 复查 offers a 复核 and is signed by the county.
    as_user(client, cast.county_officer)
    assert fire(client, complaint, "decide_review", dict(REVIEWED), **measures("decide_review", [])).status_code == 302
    t.complaint_approve(complaint_id=resolved.pk, actor=cast.county_leader)
    letter = client.get(case_url(complaint, "case-reply-letter")).content.decode()
    assert "re-review (复核)" in letter
    assert 'data-testid="letter-unit">测试县<' in letter
    assert 'data-testid="draft"' not in letter


@pytest.mark.parametrize(
    "hostile", ["", "   ", "x" * 20_000, "<script>alert(1)</script>"], ids=["empty", "blank", "oversized", "hostile"]
)
def test_a_review_decision_with_bad_input_changes_nothing(client, cast, resolved, hostile):
    t.complaint_review(complaint_id=resolved.pk, reason="退费不全")
    complaint = Complaint.objects.get(pk=resolved.pk)
    as_user(client, cast.county_officer)
    fields = {"finding": "nonsense" if hostile.startswith("<") else Finding.SUBSTANTIATED, "disposition": hostile}
    response = fire(client, complaint, "decide_review", {**fields, "reply": hostile}, **measures("decide_review", []))
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()
    after = Complaint.objects.get(pk=resolved.pk)
    assert (after.status, after.version, after.approval_requested_by) == (
        ComplaintStatus.UNDER_REVIEW,
        complaint.version,
        None,
    )


def test_cases_already_under_review_get_their_reviewing_unit_from_the_migration(cast, resolved, county_principal):
    # A case asked for its 复核 before reviewing units existed: the county's leadership decides it.
    from django.apps import apps

    backfill = importlib.import_module("complaints.migrations.0013_complaint_reviewing_unit").reviewing_units_backfill
    t.complaint_review(complaint_id=resolved.pk, reason="退费不全")
    t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_officer, **REVIEWED)
    t.complaint_approve(complaint_id=resolved.pk, actor=cast.county_leader)
    t.complaint_review(complaint_id=resolved.pk, reason="仍不满意")
    Complaint.objects.filter(pk=resolved.pk).update(reviewing_unit=None, review_by_leaders=False)
    backfill(apps, None)
    complaint = Complaint.objects.get(pk=resolved.pk)
    assert (complaint.reviewing_unit, complaint.review_by_leaders) == (cast.units.county, True)
    t.complaint_decide_review(complaint_id=resolved.pk, actor=cast.county_leader, **REVIEWED)
    assert t.complaint_approve(complaint_id=resolved.pk, actor=county_principal).status == ComplaintStatus.RESOLVED
