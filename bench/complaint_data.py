"""Generate complaints at volume for the benchmarks: a county's years of cases in minutes.

Bench data only: rows are written by INSERT ... SELECT inside PostgreSQL, not through the
services (a million cases one service call at a time would take hours, and the figures
are about reading). What the services would have written is imitated at realistic
proportions: one TransitionLog row and one history row per step of each case's path, the
acceptance, resolution and review deadlines, a petitioner identity (with its history row)
for real-name cases, investigation activities, messages and internal notes (with history).
History rows carry the case as it stands now except for the status and version of their
step: good enough for sizes and plans, not for replaying a case. History and log rows are
left unsealed (no chain number, an empty hash), as the services write them before the
auditors' sealer links them.

Steps of ``complaints_generate``:
1. Fill small temporary tables: the case paths with their weights and ages, the channels
   with theirs, the units a case can be about (with the parent that handles it), texts.
2. Per batch (one transaction): draw the batch's cases, expand their paths into steps,
   insert cases, transition logs, history, deadlines, identities, activities, messages,
   notes, then history of those records.
3. Move the id sequences past what was inserted; ANALYZE.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiufeng_cbench \\
      .venv/bin/python bench/complaint_data.py --cases 1000000
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from benchtree import tree_build  # noqa: E402
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from complaints.duplicates import content_sketch  # noqa: E402
from complaints.identity import identities_encrypt_existing  # noqa: E402
from complaints.models import (  # noqa: E402
    Activity,
    Complaint,
    InternalNote,
    Message,
    PetitionerIdentity,
    TransitionLog,
)
from demo import categories as complaints_demo  # noqa: E402
from jiufeng.models import User  # noqa: E402
from jiufeng.roles import Role  # noqa: E402
from responsibility.models import Deadline, Position, PositionKind, Unit  # noqa: E402

BUREAUS = 20
SECTIONS = 10
BATCH = 50_000

TO_STATUS = {
    "file": "submitted",
    "accept": "accepted",
    "reject": "rejected",
    "transfer": "transferred",
    "merge": "merged",
    "start_investigation": "investigating",
    "submit_for_approval": "pending_approval",
    "send_back": "investigating",
    "approve": "resolved",
    "review": "under_review",
    "decide_review": "resolved",
    "close": "closed",
}
DECIDED = ["file", "accept", "start_investigation", "submit_for_approval", "approve"]
# (weight per mille, review round, days since receipt from-to, path); weights sum to 1000.
# Open cases are recent (a few past their deadline), ended ones spread over two years.
# The last path must be an ended one that merges nothing: each batch starts with it.
PATHS = [
    (30, 0, (0, 18), ["file"]),
    (25, 0, (1, 20), ["file", "accept"]),
    (70, 0, (5, 75), ["file", "accept", "start_investigation"]),
    (10, 0, (15, 75), ["file", "accept", "start_investigation", "submit_for_approval", "send_back"]),
    (20, 0, (20, 70), DECIDED[:4]),
    (60, 0, (20, 60), DECIDED),
    (10, 1, (30, 90), [*DECIDED, "review"]),
    (3, 2, (60, 120), [*DECIDED, "review", "decide_review", "review"]),
    (30, 1, (60, 730), [*DECIDED, "review", "decide_review", "close"]),
    (90, 0, (20, 730), ["file", "reject"]),
    (40, 0, (20, 730), ["file", "transfer"]),
    (50, 0, (20, 730), ["file", "merge"]),
    (562, 0, (40, 730), [*DECIDED, "close"]),
]
# 网上 55%, 电话 20%, 来信 8%, 来访 7%, 领导信箱 5%, 上级交办 3%, 媒体 2% (per cent).
CHANNELS = [(55, "web"), (20, "hotline"), (8, "letter"), (7, "visit"), (5, "mailbox"), (3, "referral"), (2, "media")]
# Time limits of the acceptance, resolution and review deadlines, in days.
ACCEPT_DAYS, RESOLVE_DAYS, REVIEW_DAYS = 15, 60, 30
FINDINGS = ["substantiated", "partly_substantiated", "unsubstantiated", "unverifiable"]
ACTIVITY_KINDS = ["listen", "look", "visit", "talk", "check"]

# (category code, title, content, disposition, reply)
TEXTS = [
    (
        "fees-education",
        "学校强制学生购买教辅资料",
        "孩子所在班级班主任要求每名学生交180元购买指定教辅资料，说是学校统一要求，不买就不能参加周末辅导。"
        "我们家长觉得负担重，希望有关部门调查这是否属于违规收费。",
        "责令学校立即停止统一征订教辅资料，已收取的费用全部清退。",
        "经调查，您反映的问题属实。学校已停止统一征订教辅资料，已收费用正在清退，请留意班级通知。",
    ),
    (
        "fees-medical",
        "县医院住院费用清单有重复收费",
        "我父亲在县医院住院12天，出院结算时发现费用清单中同一项检查收了两次，护理费天数也多算了三天，"
        "找收费处询问，工作人员说系统自动生成的，不予解释。",
        "责令医院核查住院收费明细，多收费用退还患者，对收费科室进行通报批评。",
        "经核查，您父亲住院期间存在重复计费问题，多收的426元已退还至原支付账户。感谢您的监督。",
    ),
    (
        "attitude-window",
        "便民服务中心午休时间窗口无人",
        "上周三中午十二点到便民服务中心办理社保卡补办，窗口一个人都没有，等到下午两点半才有人上班，"
        "问了才知道午休不办业务，但门口公示的是全天办理。",
        "责令便民服务中心落实午间轮班值守制度，对相关工作人员进行批评教育。",
        "经调查，您反映的情况基本属实。中心已实行午间轮班制度，并更新了公示的办理时间。",
    ),
    (
        "attitude-rude",
        "派出所户籍窗口工作人员态度恶劣",
        "去派出所给孩子上户口，材料不全被工作人员当众呵斥，问需要补什么材料也不一次性说清楚，前后跑了四趟才办好。",
        "对当事工作人员进行批评教育，责令所在单位落实一次性告知制度。",
        "经调查，该工作人员存在服务态度生硬、未一次性告知的问题，已对其批评教育并在全所通报。",
    ),
    (
        "benefits-subsidy",
        "村里低保评定优亲厚友",
        "我们村今年新评的低保户中有两户是村干部的亲戚，家里有车有楼房，而真正困难的几户老人却没评上，"
        "评定过程也没有公示。",
        "责令乡政府对该村低保对象重新核查，不符合条件的予以退出，对村干部进行诫勉谈话。",
        "经乡政府入户核查，两户不符合低保条件，已取消其低保资格；对相关村干部进行了诫勉谈话。",
    ),
    (
        "benefits-wages",
        "工程项目拖欠农民工工资",
        "我们在县城一个安置房项目干了八个月，到现在还有三个月工资没结清，包工头说上面的工程款没拨下来，"
        "找了住建局也没有回音。",
        "责令施工单位限期支付拖欠工资，住建部门约谈建设单位负责人。",
        "经协调，施工单位已于本月支付拖欠的工资，共涉及农民工23人。如仍有未结清情况，请再与我们联系。",
    ),
    (
        "fees-enterprise",
        "市场监管所检查时要求购买指定灭火器",
        "我开了一家小餐馆，市场监管所来检查时说消防器材不合格，要求必须在他们指定的店购买灭火器，价格比外面贵一倍。",
        "对相关执法人员进行批评教育，明确不得指定商户购买器材。",
        "经调查，执法人员存在推荐指定商家的不当行为，已对其批评教育，您可自行选择合格产品。",
    ),
    (
        "inaction-delay",
        "不动产登记超过承诺时限不办结",
        "今年三月提交的房屋不动产登记申请，窗口承诺15个工作日办结，现在已经两个多月了还没拿到证，"
        "每次打电话都说在审核。",
        "责令不动产登记中心五个工作日内办结，对超时办理进行通报。",
        "您的不动产登记已于本周办结，证书可到中心窗口领取。对办理超时问题，我们已责令整改。",
    ),
    (
        "favours-gifts",
        "卫生院医生暗示收红包",
        "母亲在镇卫生院做手术前，主治医生多次暗示家属“表示一下”，我们担心影响手术，只好送了500元购物卡。",
        "对当事医生给予党纪处分，责令退还所收财物。",
        "经调查，您反映的问题属实，当事医生已退还购物卡，并受到相应处分。",
    ),
    (
        "inaction-shirk",
        "道路坑洼多部门推诿无人维修",
        "石桥镇到县城的公路有一段坑洼严重，已经发生多起摩托车摔倒事故，找交通局说归公路中心管，"
        "公路中心又说归镇里管，没人处理。",
        "明确由县公路事业发展中心负责维修，限期一个月完成。",
        "经协调，该路段由县公路事业发展中心负责，维修已于上周完成，感谢您的反映。",
    ),
]
PARTICIPANTS = ["承办人、投诉人", "学校校长、班主任", "医院财务科负责人", "村党支部书记、村民代表", "窗口工作人员"]
ACTIVITY_SUMMARIES = [
    "电话听取投诉人陈述，核实了投诉事项的时间、地点和经过。",
    "到现场查看公示栏和办事窗口，拍照留存。",
    "走访周边群众和知情人5名，了解相关情况。",
    "约谈被投诉单位负责人，听取其说明并制作谈话笔录。",
    "调阅收费票据、台账和会议记录，核对相关账目。",
]
PETITIONER_MESSAGES = ["补充一下，当时在场的还有两位家长可以作证。", "请问我的投诉现在办到哪一步了？"]
STAFF_MESSAGES = ["您好，请提供当时的收费凭证照片，以便我们核实。", "您反映的问题已转承办单位调查，请耐心等待。"]
NOTES = ["该单位去年同类问题已有两次投诉，建议一并督查。", "投诉人情绪激动，回访时注意方式方法。"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["秀英", "建国", "桂兰", "志强", "海燕", "明", "丽", "伟", "芳", "军"]


def county_build(total_units: int) -> tuple[User, User]:
    """A county of about ``total_units`` units and the demo categories; returns (officer, leader).

    The officer and the leader hold the root (the whole county), as the demo county's do.
    """
    if not Unit.objects.exists():
        tree_build(total=total_units, bureaus=BUREAUS, sections=SECTIONS)
    complaints_demo.seed(io.StringIO())
    root = Unit.objects.get(depth=1)
    officer = staff_person("bench-officer", root, PositionKind.OFFICER, Role.OFFICER)
    leader = staff_person("bench-leader", root, PositionKind.LEADER_IN_CHARGE, Role.LEADER)
    return officer, leader


def staff_person(username: str, unit: Unit, kind: str, role: Role) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"display_name": username})
    user.groups.add(Group.objects.get(name=role))
    Position.objects.get_or_create(user=user, unit=unit, kind=kind, defaults={"starts_on": "2020-01-01"})
    return user


def _weighted(cursor, table: str, rows: list[tuple]) -> None:
    """A temporary table of rows with [lo, hi) ranges of their weights (the first value)."""
    lo = 0
    for weight, *values in rows:
        cursor.execute(
            f"INSERT INTO {table} VALUES ({', '.join(['%s'] * (len(values) + 2))})", [lo, lo + weight, *values]
        )
        lo += weight


def _prepare(cursor) -> None:
    cursor.execute(
        "CREATE TEMP TABLE bench_path (lo int, hi int, review_round int, min_age int, max_age int, "
        "names text[], tos text[])"
    )
    _weighted(
        cursor,
        "bench_path",
        [(w, rnd, lo, hi, names, [TO_STATUS[n] for n in names]) for w, rnd, (lo, hi), names in PATHS],
    )
    cursor.execute("CREATE TEMP TABLE bench_channel (lo int, hi int, channel text)")
    _weighted(cursor, "bench_channel", CHANNELS)
    # Any unit but the root can be complained about; its parent handles the case.
    cursor.execute(
        "CREATE TEMP TABLE bench_unit AS SELECT (row_number() OVER (ORDER BY u.path) - 1)::int AS i, "
        "u.id AS unit_id, p.id AS parent_id FROM responsibility_unit u "
        "JOIN responsibility_unit p ON p.path = substr(u.path, 1, length(u.path) - %s) WHERE u.depth > 1",
        [Unit.steplen],
    )
    cursor.execute(
        "CREATE TEMP TABLE bench_text "
        "(i int, category_id bigint, title text, content text, disposition text, reply text, content_sketch bytea)"
    )
    for i, (code, *texts) in enumerate(TEXTS):
        cursor.execute(
            "INSERT INTO bench_text SELECT %s, id, %s, %s, %s, %s, %s FROM complaints_category WHERE code = %s",
            [i, *texts, content_sketch(texts[1]), code],
        )
    # Temporary tables have no statistics until asked: without them every join is a nested loop.
    cursor.execute("ANALYZE bench_path, bench_channel, bench_unit, bench_text")


def _batch(cursor, *, base: int, size: int, officer: int, leader: int, root: int, units: int) -> None:
    params = {
        "base": base,
        "size": size,
        "units": units,
        "texts": len(TEXTS),
        "officer": officer,
        "leader": leader,
        "root": root,
        "findings": FINDINGS,
        "kinds": ACTIVITY_KINDS,
        "participants": PARTICIPANTS,
        "summaries": ACTIVITY_SUMMARIES,
        "petitioner_messages": PETITIONER_MESSAGES,
        "staff_messages": STAFF_MESSAGES,
        "notes": NOTES,
        "surnames": list(SURNAMES),
        "given": GIVEN,
        "complaint_type": ContentType.objects.get_for_model(Complaint).pk,
        "accept_days": ACCEPT_DAYS,
        "resolve_days": RESOLVE_DAYS,
        "review_days": REVIEW_DAYS,
        "time_zone": settings.TIME_ZONE,
    }
    # 1. Draw the cases: path, unit, channel, text and age. The first rows of a batch take
    # the last path (never merged), so every merged case has earlier cases to point to.
    cursor.execute(
        """
        CREATE TEMP TABLE bench_batch AS
        SELECT d.id, d.g, p.names, p.tos, cardinality(p.names) AS n, p.review_round,
               p.tos[cardinality(p.tos)] AS status, u.unit_id, u.parent_id, ch.channel, t.*,
               d.r_anon < 0.3 AS anonymous, d.finding,
               now() - (p.min_age + d.r_age * d.r_age * (p.max_age - p.min_age)) * interval '1 day' AS received_at
        FROM (
            SELECT (%(base)s + g)::bigint AS id, g,
                   CASE WHEN g <= 8 THEN 999 ELSE floor(random() * 1000)::int END AS w,
                   floor(random() * %(units)s)::int AS ui, floor(random() * 100)::int AS wc,
                   floor(random() * %(texts)s)::int AS ti, random() AS r_age, random() AS r_anon,
                   (%(findings)s::text[])[1 + floor(random() * 4)::int] AS finding
            FROM generate_series(1, %(size)s) g
        ) d
        JOIN bench_path p ON d.w >= p.lo AND d.w < p.hi
        JOIN bench_unit u ON u.i = d.ui
        JOIN bench_channel ch ON d.wc >= ch.lo AND d.wc < ch.hi
        JOIN bench_text t ON t.i = d.ti
        """,
        params,
    )
    # 2. Expand each path into steps spread over the case's life so far (at most 8 days apart).
    cursor.execute(
        """
        CREATE TEMP TABLE bench_steps AS
        SELECT b.id, s.i::int AS i, s.name, s.to_status, coalesce(b.tos[s.i - 1], '') AS from_status,
               b.received_at + least(now() - b.received_at, (b.n - 1) * interval '8 days') * 0.9
                   * ((s.i - 1)::float / greatest(b.n - 1, 1)) AS at,
               CASE WHEN s.name = 'approve' THEN %(leader)s
                    WHEN s.name = 'review' OR (s.name = 'file' AND b.channel = 'web') THEN NULL
                    ELSE %(officer)s END AS actor_id
        FROM bench_batch b CROSS JOIN LATERAL unnest(b.names, b.tos) WITH ORDINALITY AS s(name, to_status, i);
        CREATE TEMP TABLE bench_times AS
        SELECT id, max(at) FILTER (WHERE i = 2) AS second_at,
               max(at) FILTER (WHERE name = 'accept') AS accepted_at,
               max(at) FILTER (WHERE name = 'approve') AS approved_at,
               max(at) FILTER (WHERE name = 'review') AS reviewed_at,
               max(at) FILTER (WHERE name = 'decide_review') AS decided_at,
               max(at) FILTER (WHERE name IN ('approve', 'decide_review')) AS replied_at
        FROM bench_steps GROUP BY id;
        ANALYZE bench_batch, bench_steps, bench_times;
        """,
        params,
    )
    # 3. The cases and what their transitions wrote.
    cursor.execute(
        """
        INSERT INTO complaints_complaint (
            id, channel, title, content, occurred_on, location, anonymous, received_at, submitted_at, status,
            review_round, finding, disposition, reply, replied_at, transferred_to, tracking_code_hash, version,
            approval_requested_by_id, category_id, handling_unit_id, merged_into_id, subject_unit_id,
            possible_duplicate_of_id, due_at, content_sketch, case_number, review_by_leaders)
        SELECT b.id, b.channel, b.title, b.content, (b.received_at - (b.g %% 20) * interval '1 day')::date, '',
               b.anonymous, b.received_at,
               b.received_at + CASE WHEN b.channel = 'web' THEN interval '0' ELSE interval '3 hours' END,
               b.status, b.review_round,
               CASE WHEN 'submit_for_approval' = ANY(b.names) THEN b.finding ELSE '' END,
               CASE WHEN 'submit_for_approval' = ANY(b.names) THEN b.disposition ELSE '' END,
               CASE WHEN 'submit_for_approval' = ANY(b.names) THEN b.reply ELSE '' END,
               t.replied_at,
               CASE WHEN b.status = 'transferred' THEN '县人民法院' ELSE '' END,
               encode(sha256(('bench-' || b.id)::bytea), 'hex'), b.n - 1,
               CASE WHEN 'submit_for_approval' = ANY(b.names) THEN %(officer)s END,
               b.category_id,
               CASE WHEN 'accept' = ANY(b.names) THEN b.parent_id END,
               CASE WHEN b.status = 'merged' THEN b.id - 1 - b.g %% 7 END,
               b.unit_id, NULL,
               -- due_at: the deadline of the running stage, as inserted below
               CASE WHEN b.status = 'submitted' THEN b.received_at + %(accept_days)s * interval '1 day'
                    WHEN b.status IN ('accepted', 'investigating', 'pending_approval')
                        THEN t.accepted_at + %(resolve_days)s * interval '1 day'
                    WHEN b.status = 'under_review' THEN t.reviewed_at + %(review_days)s * interval '1 day' END,
               b.content_sketch,
               -- A public number per year numbered by id (unique: ids are); the counters are moved past them below.
               extract(year FROM b.received_at AT TIME ZONE %(time_zone)s)::int || '-'
                   || repeat('0', greatest(6 - length(b.id::text), 0)) || b.id,
               false
        FROM bench_batch b JOIN bench_times t ON t.id = b.id;

        INSERT INTO complaints_casenumbercounter (year, last)
        SELECT extract(year FROM received_at AT TIME ZONE %(time_zone)s)::int, max(id) FROM bench_batch GROUP BY 1
        ON CONFLICT (year) DO UPDATE SET last = greatest(complaints_casenumbercounter.last, excluded.last);

        INSERT INTO complaints_transitionlog (complaint_id, name, from_status, to_status, at, note, actor_id,
                                              chain_hash)
        SELECT id, name, from_status, to_status, at,
               CASE name WHEN 'reject' THEN '属于诉讼程序解决的事项，不予受理。'
                         WHEN 'transfer' THEN '不属于本办管辖，转县人民法院。'
                         WHEN 'review' THEN '对处理结果不满意，申请复查。' ELSE '' END,
               actor_id, ''
        FROM bench_steps;

        INSERT INTO responsibility_deadline (kind, content_type_id, object_id, unit_id, opened_at, due_at, met_at,
                                             level, next_escalation_at, provisional)
        SELECT kind, %(complaint_type)s, id, unit_id, opened_at, due_at, met_at, -1,
               CASE WHEN met_at IS NULL THEN due_at END, false
        FROM (
            SELECT 'complaint_accept' AS kind, b.id, %(root)s AS unit_id, b.received_at AS opened_at,
                   b.received_at + %(accept_days)s * interval '1 day' AS due_at, t.second_at AS met_at
            FROM bench_batch b JOIN bench_times t ON t.id = b.id
            UNION ALL
            SELECT 'complaint_resolve', b.id, b.parent_id, t.accepted_at,
                   t.accepted_at + %(resolve_days)s * interval '1 day',
                   t.approved_at
            FROM bench_batch b JOIN bench_times t ON t.id = b.id WHERE t.accepted_at IS NOT NULL
            UNION ALL
            SELECT 'complaint_review', b.id, b.parent_id, t.reviewed_at,
                   t.reviewed_at + %(review_days)s * interval '1 day',
                   CASE WHEN t.decided_at > t.reviewed_at THEN t.decided_at END
            FROM bench_batch b JOIN bench_times t ON t.id = b.id WHERE t.reviewed_at IS NOT NULL
        ) deadlines;

        INSERT INTO complaints_petitioneridentity (complaint_id, name, phone, id_number, email, phone_index)
        SELECT id, (%(surnames)s::text[])[1 + g %% 20] || (%(given)s::text[])[1 + (g / 20) %% 10],
               '138' || lpad(((id * 7919) %% 100000000)::text, 8, '0'), '', '', ''
        FROM bench_batch WHERE NOT anonymous;
        """,
        params,
    )
    # 4. Investigation activities (1-5 from its start), messages both ways (0-3), a note in three cases.
    cursor.execute(
        """
        INSERT INTO complaints_activity (kind, occurred_at, participants, summary, recorded_at, complaint_id,
                                         recorded_by_id, checked, correction_reason, void_reason)
        SELECT (%(kinds)s::text[])[1 + (b.g + j) %% 5], s.at + (now() - s.at) * 0.1 * j / 6,
               (%(participants)s::text[])[1 + (b.g + j) %% 5], (%(summaries)s::text[])[1 + (b.g + j) %% 5],
               s.at + (now() - s.at) * 0.1 * j / 6 + interval '2 hours', b.id, %(officer)s, '[]'::jsonb, '', ''
        FROM bench_batch b JOIN bench_steps s ON s.id = b.id AND s.name = 'start_investigation'
        CROSS JOIN LATERAL generate_series(1, 1 + b.g %% 5) j;

        INSERT INTO complaints_message (body, at, author_id, complaint_id)
        SELECT CASE WHEN j %% 2 = 1 THEN (%(petitioner_messages)s::text[])[1 + (b.g + j) %% 2]
                    ELSE (%(staff_messages)s::text[])[1 + (b.g + j) %% 2] END,
               b.received_at + (now() - b.received_at) * 0.8 * j / 4,
               CASE WHEN j %% 2 = 0 THEN %(officer)s END, b.id
        FROM bench_batch b CROSS JOIN LATERAL generate_series(1, (b.g * 7) %% 4) j;

        INSERT INTO complaints_internalnote (body, at, author_id, complaint_id)
        SELECT (%(notes)s::text[])[1 + b.g %% 2], b.received_at + (now() - b.received_at) * 0.3, %(officer)s, b.id
        FROM bench_batch b WHERE b.g %% 3 = 0;
        """,
        params,
    )
    _history(cursor, base=base, size=size)


def _columns(model) -> list[str]:
    return [field.column for field in model._meta.concrete_fields]


def _history(cursor, *, base: int, size: int) -> None:
    """One history row per step of each case, and a creation row for every record."""
    between = {"lo": base + 1, "hi": base + size}
    # What the history keeps of a case (not due_at, a copy of the ledger's).
    kept = set(_columns(Complaint.history.model))
    columns = [column for column in _columns(Complaint) if column in kept]
    picked = [{"status": "s.to_status", "version": "s.i - 1"}.get(column, f"c.{column}") for column in columns]
    cursor.execute(
        f"""
        INSERT INTO complaints_historicalcomplaint ({", ".join(columns)}, history_date, history_change_reason,
                                                    history_type, history_user_id, chain_hash)
        SELECT {", ".join(picked)}, s.at, s.name, CASE WHEN s.i = 1 THEN '+' ELSE '~' END, s.actor_id, ''
        FROM bench_steps s JOIN complaints_complaint c ON c.id = s.id
        """
    )
    # (record, when its history row was written, by whom), in terms of r (the record) and c (its case).
    for model, when, user in [
        (Activity, "r.recorded_at", "r.recorded_by_id"),
        (Message, "r.at", "r.author_id"),
        (InternalNote, "r.at", "r.author_id"),
        (PetitionerIdentity, "c.received_at", "NULL"),
    ]:
        # Columns the history copies (not the identity's phone_index).
        kept = set(_columns(model.history.model))
        columns = [column for column in _columns(model) if column in kept]
        cursor.execute(
            f"""
            INSERT INTO {model.history.model._meta.db_table} ({", ".join(columns)}, history_date, history_type,
                                                              history_user_id, chain_hash)
            SELECT {", ".join(f"r.{column}" for column in columns)}, {when}, '+', {user}, ''
            FROM {model._meta.db_table} r JOIN complaints_complaint c ON c.id = r.complaint_id
            WHERE r.complaint_id BETWEEN %(lo)s AND %(hi)s
            """,
            between,
        )


# What the generator inserts into, and what it writes history rows for.
HISTORY_LOADED = [Complaint, Activity, Message, InternalNote, PetitionerIdentity]
LOADED = [*HISTORY_LOADED, TransitionLog, Deadline]


def _indexes_drop(cursor) -> list[str]:
    """Drop the loaded tables' indexes that back no constraint; returns their definitions.

    Building an index once over millions of sorted rows is several times faster than
    keeping it up to date row by row.
    """
    tables = [model._meta.db_table for model in [*LOADED, *(m.history.model for m in HISTORY_LOADED)]]
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [tables],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes]


def complaints_generate(*, total: int, officer: User, leader: User, batch: int = BATCH, out=sys.stdout) -> None:
    """Add cases until the database holds ``total`` of them (bulk SQL: see the module docstring).

    One transaction: an interrupted run leaves the database as it was, indexes included.
    """
    existing = Complaint.objects.count()
    if existing >= total:
        return
    root = Unit.objects.get(depth=1).pk
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        # Bench data is consistent by construction: skip the per-row foreign key triggers
        # (PostgreSQL queues one per row until commit). Needs a superuser, as COPY-style loads do.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        indexes = _indexes_drop(cursor)
        _prepare(cursor)
        cursor.execute("SELECT count(*) FROM bench_unit")
        units = cursor.fetchone()[0]
        base = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        remaining = total - existing
        while remaining > 0:
            size = min(batch, remaining)
            _batch(cursor, base=base, size=size, officer=officer.pk, leader=leader.pk, root=root, units=units)
            cursor.execute("DROP TABLE bench_batch, bench_steps, bench_times")
            base, remaining = base + size, remaining - size
            done = total - remaining - existing
            print(f"  {done:,} cases in {time.perf_counter() - started:.0f} s", file=out, flush=True)
        for definition in indexes:
            cursor.execute(definition)
        print(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - started:.0f} s", file=out, flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('complaints_complaint', 'id'), %s)", [base])
        cursor.execute("DROP TABLE bench_path, bench_channel, bench_unit, bench_text")
        # Identities were inserted in clear, as SQL cannot encrypt them: encrypted here, as the
        # migration does an older database's (Fernet in Python, one UPDATE per 1,000 rows).
        identities_encrypt_existing(apps)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def table_sizes() -> list[tuple[str, int]]:
    tables = [
        "complaints_complaint",
        "complaints_historicalcomplaint",
        "complaints_transitionlog",
        "complaints_activity",
        "complaints_message",
        "complaints_internalnote",
        "complaints_petitioneridentity",
        "responsibility_deadline",
    ]
    with connection.cursor() as cursor:
        return [(table, _count(cursor, table)) for table in tables]


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")
    return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    officer, leader = county_build(args.units)
    complaints_generate(total=args.cases, officer=officer, leader=leader, batch=args.batch)
    print(f"done in {time.perf_counter() - started:.1f} s")
    for table, rows in table_sizes():
        print(f"  {table:<36}{rows:>12,}")


if __name__ == "__main__":
    main()
