"""Demo democratic appraisal (民主评议): last year's scored and published, this year's open.

Made through the services: the questionnaire, both appraisals, the codes, the answers (by
code, as an evaluator's phone sends them), scoring and publication. Last year's ran its
course inside this run, then its dates are moved back a year, as demo.cases moves a case's
times: its response period and its figures are last year's, so the complaint parts have no
data and their weights go to the questionnaire groups (the explanation says so). This year's
is open with some answers; a few unused service-user codes are printed on every run to try
at /appraisal/. Found again by name: a second run creates nothing.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from complaints.models import Complaint
from evaluations.models import (
    Appraisal,
    AppraisalState,
    Evaluator,
    EvaluatorGroup,
    Invitation,
    Observation,
    QuestionItem,
    Questionnaire,
    Scale,
)
from evaluations.services.appraisals import appraisal_close, appraisal_create, appraisal_open, appraisal_units_add
from evaluations.services.responding import invitation_batch_create, response_submit
from evaluations.services.scoring import appraisal_publish, appraisal_score
from responsibility.models import Unit

ROOT = "青溪县"
QUESTIONNAIRE = "政风行风民主评议问卷（通用）"
QUESTIONS = [
    ("工作作风：依法办事、不推诿扯皮", 25, Scale.THREE_LEVEL),
    ("服务态度：热情耐心、文明用语", 20, Scale.THREE_LEVEL),
    ("办事效率：一次告知、按时办结", 20, Scale.FIVE_POINT),
    ("廉洁自律：不吃拿卡要、不乱收费", 20, Scale.THREE_LEVEL),
    ("政务公开：收费标准和办事流程公开", 15, Scale.THREE_LEVEL),
]
# Ranking group -> units: the service-facing bureaus, and the windows people queue at.
UNITS = {
    "部门": [
        "县教育局",
        "县卫生健康局",
        "县市场监督管理局",
        "县交通运输局",
        "县人力资源和社会保障局",
        "县住房和城乡建设局",
    ],
    "服务窗口": ["城关镇便民服务中心", "石桥镇便民服务中心", "柳河乡便民服务中心", "县人民医院", "县社会保险事业中心"],
}
# How satisfied each unit's evaluators tend to be (share of top answers): a spread with a
# clear bottom in each group, so the ranking and the rectification have something to show.
MOOD = {
    "县教育局": 0.7,
    "县卫生健康局": 0.55,
    "县市场监督管理局": 0.8,
    "县交通运输局": 0.65,
    "县人力资源和社会保障局": 0.75,
    "县住房和城乡建设局": 0.35,
    "城关镇便民服务中心": 0.6,
    "石桥镇便民服务中心": 0.85,
    "柳河乡便民服务中心": 0.3,
    "县人民医院": 0.5,
    "县社会保险事业中心": 0.7,
}
COMMENTS = ["窗口人员态度很好", "办事要跑两趟，希望一次告知", "", "收费公示清楚", "午休时间窗口无人", ""]
SUPERVISOR_OBSERVATION = "便民服务中心窗口午休提前离岗"


def seed(out) -> None:
    User = get_user_model()
    officer = User.objects.filter(username="officer").first()
    leader = User.objects.filter(username="leader").first()
    root = Unit.objects.filter(name=ROOT, depth=1).first()
    if officer is None or leader is None or root is None:
        return
    _evaluators(root)
    questionnaire = _questionnaire(officer)
    year = timezone.localdate().year
    last = Appraisal.objects.filter(name=f"{year - 1}年度民主评议政风行风").first()
    if last is None:
        last = _appraisal(officer, root, questionnaire, year - 1, answers_per_unit=12)
        appraisal_close(actor=officer, appraisal_id=last.pk)
        _move_back_a_year(last)
        appraisal_score(actor=officer, appraisal_id=last.pk)
        appraisal_publish(actor=leader, appraisal_id=last.pk)
    current = Appraisal.objects.filter(name=f"{year}年度民主评议政风行风").first()
    if current is None:
        current = _appraisal(officer, root, questionnaire, year, answers_per_unit=4, answered_units=6)
    last.refresh_from_db()
    current.refresh_from_db()
    out.write(f"appraisals: {last.name} {last.get_state_display()}, {current.name} {current.get_state_display()}")
    codes = Invitation.objects.filter(
        appraisal=current, group=EvaluatorGroup.SERVICE_USER, used_at__isnull=True
    ).select_related("appraised_unit__unit")[:3]
    out.write("  demo appraisal codes (answer at /appraisal/<code>/):")
    for invitation in codes:
        out.write(f"    {invitation.code}  {invitation.appraised_unit.unit.name}")


def _evaluators(root: Unit) -> None:
    """The demo supervisor and deputy, appointed by the county for a three-year term; the
    supervisor's observation among the demo cases is theirs."""
    User = get_user_model()
    year = timezone.localdate().year
    for username, group, phone in (
        ("supervisor", EvaluatorGroup.SUPERVISOR, "13807468801"),
        ("deputy", EvaluatorGroup.REPRESENTATIVE, "13807468802"),
    ):
        user = User.objects.filter(username=username).first()
        if user is None or hasattr(user, "evaluator"):
            continue
        user.phone = phone
        user.save(update_fields=["phone"])
        evaluator = Evaluator.objects.create(
            user=user,
            group=group,
            appointed_by=root,
            term_start=datetime.date(year - 1, 1, 1),
            term_end=datetime.date(year + 1, 12, 31),
            background="退休教师" if group == EvaluatorGroup.SUPERVISOR else "县人大代表",
        )
        if group == EvaluatorGroup.REPRESENTATIVE:
            evaluator.observes.set(Unit.objects.filter(name__in=UNITS["服务窗口"]))
    supervisor = Evaluator.objects.filter(user__username="supervisor").first()
    complaint = Complaint.objects.filter(title=SUPERVISOR_OBSERVATION).first()
    if supervisor and complaint and not Observation.objects.filter(complaint=complaint).exists():
        Observation.objects.create(evaluator=supervisor, complaint=complaint)


def _questionnaire(officer) -> Questionnaire:
    questionnaire = Questionnaire.objects.filter(name=QUESTIONNAIRE).first()
    if questionnaire is None:
        questionnaire = Questionnaire.objects.create(
            name=QUESTIONNAIRE,
            introduction="请根据您近一年来办事的亲身感受，对该单位的作风作出评价。评议匿名进行。",
            created_by=officer,
        )
        for position, (text, weight, scale) in enumerate(QUESTIONS, start=1):
            QuestionItem.objects.create(
                questionnaire=questionnaire, position=position, text=text, weight=weight, scale=scale
            )
    return questionnaire


def _appraisal(officer, root, questionnaire, year: int, *, answers_per_unit: int, answered_units: int = 99):
    """Create, choose units, open and answer: supervisors and the deputy by their own codes,
    service users by printed slips."""
    now = timezone.now()
    appraisal = appraisal_create(
        actor=officer,
        organiser=root,
        questionnaire=questionnaire,
        name=f"{year}年度民主评议政风行风",
        year=year,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=21),
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
    )
    for group, names in UNITS.items():
        units = list(Unit.objects.filter(path__startswith=root.path, name__in=names))
        appraisal_units_add(actor=officer, appraisal_id=appraisal.pk, units=units, ranking_group=group)
    appraisal_open(actor=officer, appraisal_id=appraisal.pk)
    items = list(questionnaire.items.all())
    # Demo answers, the same on every machine: no secret rests on them.
    rng = random.Random(year)  # noqa: S311
    for index, appraised in enumerate(appraisal.appraised_units.select_related("unit").order_by("pk")):
        slips = invitation_batch_create(
            actor=officer,
            appraisal_id=appraisal.pk,
            appraised_unit_id=appraised.pk,
            group=EvaluatorGroup.SERVICE_USER,
            count=answers_per_unit + 3,
        )
        if index >= answered_units:
            continue
        own = list(Invitation.objects.filter(appraised_unit=appraised, issued_to__isnull=False))
        # This year the demo supervisor leaves a unit unanswered, to see on /evaluator/.
        if year == timezone.localdate().year:
            own = [invitation for invitation in own if invitation.issued_to.username != "supervisor" or index]
        for invitation in own + slips[:answers_per_unit]:
            response_submit(
                code=invitation.code,
                answers={item.pk: _answer(rng, item, MOOD[appraised.unit.name]) for item in items},
                comment=rng.choice(COMMENTS),
            )
    return appraisal


def _answer(rng: random.Random, item: QuestionItem, mood: float) -> int:
    top, *rest = item.values
    if rng.random() < mood:
        return top
    return rng.choice(rest)


def _move_back_a_year(appraisal: Appraisal) -> None:
    """Last year's appraisal ran last December (demo only: times, never states, are moved)."""
    last_december = timezone.now().replace(year=appraisal.year, month=12, day=1, hour=9, minute=0)
    Appraisal.objects.filter(pk=appraisal.pk, state=AppraisalState.CLOSED).update(
        opens_at=last_december, closes_at=last_december + datetime.timedelta(days=20)
    )
