"""A case worked through the services, as people would, for the auditors' tests: the finding
changed once by the bureau's officer, and something of every kind attached to it."""

from django.utils import timezone

from complaints import services
from complaints import transitions as t
from complaints.models import Category, Finding, IdentityAccess
from tests.factories import complaint_filed

from .history_index import history_index


def finding_submit(cast, complaint, finding: str):
    return t.complaint_submit_for_approval(
        complaint_id=complaint.pk,
        actor=cast.bureau_officer,
        finding=finding,
        disposition="责令退还费用",
        reply="经查，已责令退还。",
    )


def case_worked(cast, *, title: str = "学校强制订购教辅资料", rated: bool = True):
    """A real-name case about the school: accepted, investigated (a 查 activity, messages both ways,
    an internal note), its finding submitted as 属实, sent back, resubmitted as 部分属实 and
    approved; the petitioner's identity read once and, if ``rated``, the reply rated 不满意.
    The history search index is filled as the sealer fills it."""
    category = Category.objects.filter(code="fees").first()
    category = category or Category.objects.add_root({"code": "fees", "name": "乱收费"})
    # Texts of their own: near-identical ones would be hinted as duplicates of each other.
    complaint, _code = complaint_filed(
        category=category,
        subject_unit=cast.units.school,
        anonymous=False,
        title=title,
        content=f"{title}。" * 3,
        phone=f"1380013{sum(map(ord, title)) % 10000:04d}",
    )
    t.complaint_accept(complaint_id=complaint.pk, actor=cast.county_officer)
    t.complaint_start_investigation(complaint_id=complaint.pk, actor=cast.bureau_officer)
    services.activity_record(
        complaint_id=complaint.pk,
        actor=cast.bureau_officer,
        kind="check",
        occurred_at=timezone.now(),
        participants="校长",
        summary="查阅收费票据",
        checked=["problem", "rules"],
    )
    services.message_add(complaint_id=complaint.pk, body="请问进展如何？")
    services.message_add(complaint_id=complaint.pk, actor=cast.bureau_officer, body="正在调查。")
    services.internal_note_add(complaint_id=complaint.pk, actor=cast.bureau_officer, body="票据不全")
    services.identity_read(complaint_id=complaint.pk, actor=cast.county_officer, via=IdentityAccess.Via.PAGE)
    finding_submit(cast, complaint, Finding.SUBSTANTIATED)
    t.complaint_send_back(complaint_id=complaint.pk, actor=cast.bureau_leader, reason="补充证据")
    finding_submit(cast, complaint, Finding.PARTLY_SUBSTANTIATED)
    t.complaint_approve(complaint_id=complaint.pk, actor=cast.bureau_leader, note="同意")
    if rated:
        services.rating_add(complaint_id=complaint.pk, rating="dissatisfied", comment="退款太慢")
    history_index()
    complaint.refresh_from_db()
    return complaint
