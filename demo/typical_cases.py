"""Demo of the transparency page (/public/): two published typical cases (典型案例) and one awaiting
`leader-edu` in the approval queue, written from closed demo cases (demo.cases, where two decisions
also adopt a rule, 长效机制). Made through the services; a second run creates nothing.
"""

from complaints.models import Complaint, TypicalCase
from complaints.permissions import can_publish_typical_case
from complaints.typical_cases import typical_case_publish, typical_case_submit, typical_case_write

from .cases import Cast

# (the case's title, the typical case's title, its account, published or left for a leader)
TYPICAL_CASES = [
    (
        "中学食堂饭菜价格随意上涨",
        "某中学食堂擅自上调饭菜价格被责令整改",
        "有家长反映，某中学食堂在未通知家长的情况下将饭菜价格上调约三成。县教育局核查食堂成本台账，"
        "确认调价未经家长委员会讨论。学校已恢复原价，并建立价格调整须提前公示的制度。",
        True,
    ),
    (
        "县医院门诊收费项目未公示",
        "医院收费处未公示收费项目被责令整改",
        "群众反映县级医院门诊收费处未公示收费项目和标准。县卫生健康局到现场查看属实，责令医院在门诊、"
        "住院收费处醒目位置公示收费项目、标准和投诉电话，现已整改到位。",
        True,
    ),
    (
        "幼儿园伙食费结余未退",
        "幼儿园伙食费结余未公布未退还",
        "有家长反映，某幼儿园学期末伙食费有结余，但既未公布收支也未退还。县教育局核查收支台账属实，"
        "责令幼儿园公布伙食费收支，结余部分已按人头退还。",
        False,
    ),
]


def seed(out) -> None:
    cast = Cast()
    if cast.officer is None:
        return
    made = 0
    for case_title, title, account, publish in TYPICAL_CASES:
        complaint = Complaint.objects.filter(title=case_title).first()
        if complaint is None or TypicalCase.objects.filter(complaint=complaint).exists():
            continue
        writer = cast.handler(complaint)
        typical_case = typical_case_write(actor=writer, complaint_id=complaint.pk, title=title, account=account)
        typical_case = typical_case_submit(actor=writer, typical_case_id=typical_case.pk)
        if publish:
            leader = next(
                user
                for user in (cast.leader_edu, cast.leader, cast.principal)
                if can_publish_typical_case(user, typical_case)
            )
            typical_case_publish(actor=leader, typical_case_id=typical_case.pk)
        made += 1
    out.write(f"typical cases: {made} created, {TypicalCase.objects.published().count()} published (see /public/)")
