"""Demo complaints: about forty cases of the demo county, in every status, made through the services.

Each case is a script of steps run by the same services the pages and the API call:
filing, transitions, activities, messages, notes, extensions, ratings. Time passes
between steps by ``wait``: every timestamp of the case so far (its history, transition
log, deadlines, records) moves back by that many days, so the case reads as it would
have happened, and deadlines run out where the script waits long enough. Nothing's
state is changed that way, only when things happened.

Found again by title, so a second run creates nothing. Three cases get fixed demo
tracking codes (printed on every run) so a petitioner's view can be tried; every other
code was shown once at filing and cannot be recovered, as in production.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, F
from django.utils import timezone

from complaints import guards, permissions, services, transitions
from complaints.models import Category, Channel, Complaint
from complaints.tracking import tracking_code_hash
from responsibility.models import Deadline, Unit

# Demo tracking codes: fixed, so a demo can be tried from its README; never in production.
DEMO_CODES = {
    "学校强制学生购买教辅资料": "JF-DEM0-2222-0001-ACDE",
    "县医院住院费用清单重复收费": "JF-DEM0-2222-0002-ACDE",
    "工程项目拖欠农民工工资": "JF-DEM0-2222-0003-ACDE",
}


@dataclass
class DemoCase:
    title: str
    category: str
    subject: str | None
    channel: str
    content: str
    # (name, phone) for a real-name filing; None: anonymous.
    petitioner: tuple[str, str] | None
    steps: list[tuple] = field(default_factory=list)
    location: str = ""
    # Days before filing that it happened, and that a letter or a call reached us.
    occurred: int | None = 3
    received: int = 0
    # Who handles it when not the unit the acceptance service chooses.
    handling: str | None = None


EDU = "县教育局"
SUBSTANTIATED, PARTLY, UNSUBSTANTIATED, UNVERIFIABLE = (
    "substantiated",
    "partly_substantiated",
    "unsubstantiated",
    "unverifiable",
)


def _rectify(unit: str, description: str, due_in: int) -> dict:
    return {"kind": "rectification", "description": description, "responsible_unit": unit, "due_in": due_in}


def _refund(amount: str, description: str, unit: str | None = None, due_in: int = 0) -> dict:
    # With a unit: who pays back, by when.
    refund = {"kind": "refund", "description": description, "amount": amount}
    if unit is not None:
        refund.update({"responsible_unit": unit, "due_in": due_in})
    return refund


def _criticise(description: str) -> dict:
    return {"kind": "criticism", "description": description}


def _rule(unit: str, description: str, due_in: int) -> dict:
    return {"kind": "rule", "description": description, "responsible_unit": unit, "due_in": due_in}


# The common opening of a handled case: accepted, investigated, heard. Each activity is
# (kind, participants, summary), and a 查 may add what it checked.
def _investigated(*, note: str, activities: list[tuple], wait: int = 3) -> list[tuple]:
    return [
        ("wait", 2),
        ("accept", note),
        ("wait", 1),
        ("start",),
        *[("activity", *activity) for activity in activities],
        ("wait", wait),
    ]


CASES = [
    # --- Submitted: waiting for the 纠风办 to decide ------------------------------------
    DemoCase(
        title="学校强制学生购买教辅资料",
        category="fees-education",
        subject="县第一中学",
        channel=Channel.WEB,
        content="孩子在县第一中学读初二，班主任要求每名学生交180元购买指定的教辅资料，说是学校统一要求，"
        "不买就不能参加周末辅导。我们家长觉得负担重，也不知道这是否符合规定，希望有关部门调查。",
        petitioner=None,
        location="县第一中学初二（3）班",
        steps=[("message", "petitioner", "补充一下：资料费是通过班级微信群收取的，没有开收据。")],
    ),
    DemoCase(
        title="镇卫生院药房收费与处方金额不符",
        category="fees-medical",
        subject="石桥镇卫生院",
        channel=Channel.HOTLINE,
        content="来电人反映：3月12日在石桥镇卫生院看病，处方上药品合计86元，药房实际收了112元，"
        "询问差价原因，收费员说是“诊疗包”费用，但医生并未做任何处置。",
        petitioner=("孙建国", "13807461235"),
        received=1,
        steps=[("wait", 20)],
    ),
    DemoCase(
        title="村委会发放种粮补贴少发",
        category="benefits-subsidy",
        subject="柳河村村民委员会",
        channel=Channel.LETTER,
        content="我家承包耕地6.5亩，按政策每亩应发耕地地力保护补贴105元，今年村里只发了480元，"
        "问村会计说是扣了“村集体管理费”。村里好几户都是这样，请求调查。",
        petitioner=("周桂兰", "13807462208"),
        received=4,
        occurred=40,
        steps=[("wait", 17)],
    ),
    DemoCase(
        title="市场监管所执法人员吃拿卡要",
        category="favours-gifts",
        subject="城关市场监督管理所",
        channel=Channel.MAILBOX,
        content="我在城关镇开小超市，市场监管所两名执法人员检查时说我店里有过期食品要罚款5000元，"
        "后来暗示“拿两条烟就算了”。我不想惯着这种风气，特向领导信箱反映。",
        petitioner=("陈志强", "13807463317"),
        steps=[("wait", 2)],
    ),
    DemoCase(
        title="网传医院要求患者家属送红包",
        category="favours-gifts",
        subject="县人民医院",
        channel=Channel.MEDIA,
        content="县融媒体中心转来网帖：有网友称其母亲在县人民医院外科手术前，主治医生暗示家属“表示一下”，"
        "家属送了1000元红包后手术才排上。帖子已有三百余条评论。",
        petitioner=None,
        occurred=10,
        steps=[("wait", 1)],
    ),
    DemoCase(
        title="城管执法粗暴没收摊贩三轮车",
        category="enforcement",
        subject="县城市管理综合执法大队",
        channel=Channel.VISIT,
        content="来访人称：本月5日在东街菜市场外卖菜，城管队员未出示证件，直接将其三轮车和蔬菜拉走，"
        "推搡中老人摔倒，至今未开具任何扣押手续。",
        petitioner=("吴海燕", "13807464421"),
        location="东街菜市场",
    ),
    # --- Accepted: assigned to a handling unit -----------------------------------------
    DemoCase(
        title="就业服务中心培训补贴迟迟不发",
        category="inaction-delay",
        subject="县就业服务中心",
        channel=Channel.WEB,
        content="去年11月参加了县就业服务中心组织的电工技能培训并取得证书，按政策可领1200元培训补贴，"
        "到现在半年了还没到账，打电话问总说在走流程。",
        petitioner=("徐明", "13807465530"),
        steps=[("wait", 3), ("accept", "请县人社局核实补贴发放进度，依规办理。"), ("wait", 2)],
    ),
    DemoCase(
        title="东街社区开具证明要求先交赞助费",
        category="favours-obstruct",
        subject="东街社区居民委员会",
        channel=Channel.HOTLINE,
        content="来电人反映：到东街社区开居住证明，工作人员说要先交200元“社区建设赞助费”才给盖章，不交就让改天再来。",
        petitioner=("郭丽", "13807466614"),
        steps=[("wait", 1), ("accept", "转城关镇人民政府调查处理。"), ("wait", 1)],
    ),
    DemoCase(
        title="公路养护站占道堆放砂石无人管",
        category="inaction-shirk",
        subject="县公路事业发展中心",
        channel=Channel.WEB,
        content="石桥镇到柳河乡公路K12处，公路养护站在路边堆放砂石已有两个多月，占了半幅车道，"
        "晚上没有警示灯，已经发生过两次摩托车事故。向镇里反映，镇里说归公路中心管。",
        petitioner=None,
        location="石柳公路K12处",
        steps=[("wait", 2), ("accept", "请县交通运输局督促清理，并答复处理情况。"), ("wait", 64)],
    ),
    # --- Investigating: activities, messages, notes, extensions --------------------------
    DemoCase(
        title="县医院住院费用清单重复收费",
        category="fees-medical",
        subject="县人民医院",
        channel=Channel.WEB,
        content="我父亲在县人民医院住院12天，出院结算时发现费用清单中同一项CT检查收了两次，护理费天数也多算了三天，"
        "找收费处询问，工作人员说是系统自动生成的，不予解释。",
        petitioner=("刘桂兰", "13807467702"),
        location="县人民医院住院部",
        steps=[
            *_investigated(
                note="请县卫生健康局组织核查住院收费明细。",
                activities=[
                    ("listen", "承办人、投诉人刘桂兰", "电话听取投诉人陈述，核实住院时间、科室及收费项目。"),
                    (
                        "check",
                        "县人民医院财务科科长、住院收费处负责人",
                        "调取该患者住院费用明细及医嘱记录，核对检查项目。",
                        ["problem", "procedures"],
                    ),
                ],
            ),
            ("message", "staff", "您好，请提供出院结算单和费用清单的照片，以便我们逐项核对。"),
            ("message", "petitioner", "已拍照，结算单和清单共5页，今天下午送到县纠风办。"),
            ("note", "医院信息系统计费规则存在缺陷，建议一并督促全县医院自查。"),
            ("identity",),
        ],
    ),
    # About the education bureau itself: the 纠风办 investigates it, never the bureau's own
    # people (officer-edu and leader-edu do not see it; docs/domain-rules.md).
    DemoCase(
        title="县教育局办理民办学校年检乱收费",
        category="fees-enterprise",
        subject=EDU,
        channel=Channel.WEB,
        content="我们是一所民办培训学校，到县教育局办理年检，工作人员要求交3000元“评估费”，"
        "不交就不给盖章，也不开发票。",
        petitioner=("孙志强", "13807468813"),
        handling="县纠风办",
        steps=[
            *_investigated(
                note="反映县教育局本身的问题，由县纠风办直接调查。",
                activities=[
                    ("listen", "承办人、投诉人孙志强", "听取投诉人陈述，核实年检时间、经办人员及收费金额。"),
                    ("check", "县教育局财务股", "调取民办学校年检收费记录及收费依据。"),
                ],
            ),
        ],
    ),
    DemoCase(
        title="初中食堂饭菜分量少价格高",
        category="fees-education",
        subject="石桥镇初级中学",
        channel=Channel.WEB,
        handling=EDU,
        content="石桥镇初级中学食堂一份饭菜6元，只有一勺菜，孩子经常吃不饱，要去校外小卖部买零食。"
        "听说食堂承包给了校长的亲戚，希望调查食堂收费和承包情况。",
        petitioner=None,
        steps=[
            *_investigated(
                note="请县教育局调查食堂承包和收费情况。",
                activities=[
                    ("look", "县教育局纪检组、学校总务主任", "午餐时段到食堂现场查看饭菜分量和价格公示。"),
                    ("visit", "学生家长12名、住校生8名", "走访家长和学生，了解就餐情况。"),
                    ("check", "学校校长、会计", "调阅食堂承包合同、近一年收支账目。", ["problem", "rules", "service"]),
                    ("visit", "学生家长12名、住校生8名", "走访家长（误录：与前一条重复）。"),
                ],
            ),
            ("void", "走访家长（误录：与前一条重复）。", "与前一条走访记录重复，作废。"),
            ("extension", 20, "食堂承包合同涉及往年招标材料，需调取县招投标中心档案，申请延期20天。"),
        ],
    ),
    DemoCase(
        title="低保评定优亲厚友",
        category="benefits-subsidy",
        subject="西关村村民委员会",
        channel=Channel.LETTER,
        content="我们西关村今年新评的低保户中有两户是村干部的亲戚，家里有车有楼房，而村里真正困难的几户老人却没评上，"
        "评定过程也没有张榜公示。请领导派人来查一查。",
        petitioner=("赵秀英", "13807468815"),
        received=5,
        occurred=30,
        steps=[
            *_investigated(
                note="请城关镇人民政府入户核查低保评定情况。",
                activities=[
                    ("visit", "城关镇民政办、西关村村民代表", "入户走访被举报的两户家庭，核查住房、车辆和收入情况。"),
                    ("talk", "西关村党支部书记", "约谈村党支部书记，听取低保评议过程说明。"),
                ],
            ),
            ("extension", 15, "需要县民政局协查车辆和存款信息，申请延期15天。"),
            ("approve_extension", "同意延期15天，请抓紧核查。"),
            ("message", "staff", "您好，核查工作正在进行，因需协查有关信息，办理期限延长15天，请您谅解。"),
        ],
    ),
    DemoCase(
        title="幼儿园收取“兴趣班”费用",
        category="fees-education",
        subject="城关镇中心幼儿园",
        channel=Channel.WEB,
        content="城关镇中心幼儿园要求每个孩子每学期交600元“兴趣班”费用，说是自愿，但不交的孩子下午只能坐在教室里，"
        "实际上是变相强制。",
        petitioner=("何芳", "13807469906"),
        handling=EDU,
        steps=[
            *_investigated(
                note="请县教育局调查处理。",
                activities=[
                    ("look", "县教育局基础教育股、幼儿园园长", "查看兴趣班课表、缴费名单及收费公示。"),
                    ("talk", "幼儿园园长", "约谈园长，了解兴趣班设立及收费审批情况。"),
                ],
            ),
            ("submit", SUBSTANTIATED, "责令停止违规收费，已收费用全部退还。", "经查属实，幼儿园已停止收费。", []),
            ("send_back", "答复未说明退费方式和时间，请补充后重新报送。"),
            ("message", "petitioner", "请问退费什么时候能退？"),
            ("message", "staff", "退费方案正在核定，预计下周内通过原缴费渠道退回，请留意。"),
        ],
    ),
    DemoCase(
        title="社保中心窗口让群众反复跑腿",
        category="favours-obstruct",
        subject="县社会保险事业中心",
        channel=Channel.VISIT,
        content="来访人称：为母亲办理城乡居民养老保险待遇领取，县社保中心窗口第一次说缺户口本，第二次说缺村里证明，"
        "第三次又说要本人到场，老人行动不便，前后跑了四趟还没办成。",
        petitioner=("马军", "13807460117"),
        steps=[
            *_investigated(
                note="请县人社局调查窗口一次性告知制度落实情况。",
                activities=[
                    ("listen", "承办人、来访人马军", "听取来访人陈述，记录四次办理的时间和经办人。"),
                    ("check", "县社保中心主任、窗口经办人", "调阅窗口办件登记和监控记录，核实告知情况。"),
                ],
                wait=70,
            ),
            ("note", "已超过办理时限，请承办单位说明原因。"),
        ],
    ),
    DemoCase(
        title="小学课后服务费未经审批",
        category="fees-education",
        subject="石桥镇中心小学",
        channel=Channel.HOTLINE,
        content="来电人反映：石桥镇中心小学收取课后服务费每月150元，没有看到物价部门的批复文件，"
        "家长询问时老师说不交就得四点接孩子。",
        petitioner=None,
        handling=EDU,
        steps=_investigated(
            note="请县教育局核实课后服务收费审批情况。",
            activities=[("check", "县教育局财务股、学校会计", "核查课后服务收费标准及审批文件。")],
        ),
    ),
    # --- Pending approval: finding submitted, a leader decides --------------------------
    DemoCase(
        title="便民服务中心午休时间窗口无人",
        category="attitude-window",
        subject="城关镇便民服务中心",
        channel=Channel.WEB,
        content="上周三中午十二点到城关镇便民服务中心办理社保卡补办，窗口一个人都没有，等到下午两点半才有人上班。"
        "门口公示的是“全天办理、中午不休”，实际并未做到。",
        petitioner=("林伟", "13807461128"),
        steps=[
            *_investigated(
                note="请城关镇人民政府调查处理。",
                activities=[
                    ("look", "城关镇党政办、便民服务中心主任", "中午时段到便民服务中心暗访，窗口无人值守属实。"),
                    ("talk", "便民服务中心主任", "约谈中心主任，了解午间值守安排。"),
                ],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令便民服务中心落实午间轮班值守制度，对值班缺岗人员批评教育。",
                "经调查，您反映的情况属实。中心已实行午间轮班制度，值守人员名单在大厅公示。感谢您的监督。",
                [
                    _rectify("城关镇便民服务中心", "建立午间轮班值守制度并在大厅公示值班表", 30),
                    _criticise("对午间缺岗的两名工作人员进行批评教育"),
                ],
            ),
        ],
    ),
    DemoCase(
        title="道路运输执法大队罚款不开票据",
        category="fees-fines",
        subject="县交通运输综合行政执法大队",
        channel=Channel.WEB,
        content="我开货车从石桥镇拉货，被交通执法人员拦下说超载，当场罚款800元，只给了一张白条，没有正式罚款票据。",
        petitioner=("罗志强", "13807462239"),
        steps=[
            *_investigated(
                note="请县交通运输局调查。",
                activities=[
                    ("listen", "承办人、投诉人罗志强", "听取投诉人陈述，查看白条原件照片。"),
                    ("check", "执法大队法制股", "调取当日执法记录仪视频及罚没款台账。"),
                ],
            ),
            (
                "submit",
                PARTLY,
                "超载属实，但执法人员未按规定开具票据，责令补开票据并对当事人员批评教育。",
                "经查，您的车辆超载属实，但执法人员以白条代替票据不符合规定，已责令补开正式票据，并对当事人员批评教育。",
                [_criticise("对当事执法人员批评教育，全大队通报")],
            ),
        ],
    ),
    DemoCase(
        title="中学违规组织有偿补课",
        category="fees-education",
        subject="石桥镇初级中学",
        channel=Channel.MAILBOX,
        content="石桥镇初级中学部分老师暑假在校外租房给本校学生补课，每人收费1500元，暗示不参加的学生开学后会被调座位。",
        petitioner=None,
        handling=EDU,
        steps=[
            *_investigated(
                note="请县教育局调查在职教师有偿补课问题。",
                activities=[
                    ("visit", "县教育局督导室、补课场所房东", "走访补课场所，核实补课时间和人数。"),
                    ("talk", "涉事教师3名", "分别约谈涉事教师，三人承认组织有偿补课。"),
                ],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令涉事教师退还补课费用，给予诫勉谈话，取消年度评优资格。",
                "经调查，您反映的问题属实。涉事教师已退还全部补课费，并受到相应处理。",
                [
                    _refund("39000.00", "退还26名学生补课费，每人1500元", "石桥镇初级中学", 10),
                    {
                        "kind": "admonishing_talk",
                        "description": "对3名涉事教师诫勉谈话",
                        "responsible_unit": EDU,
                        "due_in": 7,
                    },
                    _rectify("石桥镇初级中学", "开展师德师风专项整治，公开承诺不参与有偿补课", 30),
                ],
            ),
        ],
    ),
    # --- Resolved: replied, the petitioner may rate or ask for a review ------------------
    DemoCase(
        title="工程项目拖欠农民工工资",
        category="benefits-wages",
        subject="县建设工程质量安全监督站",
        channel=Channel.VISIT,
        content="我们二十多个农民工在县城安置房项目干了八个月，还有三个月工资没结清，包工头说上面的工程款没拨下来，"
        "找了住建局也没有回音，马上要过年了。",
        petitioner=("黄建国", "13807463340"),
        received=0,
        steps=[
            *_investigated(
                note="请县住建局会同县人社局限期解决。",
                activities=[
                    ("listen", "承办人、农民工代表5名", "听取农民工代表反映，登记欠薪人数和金额。"),
                    ("talk", "建设单位、施工单位项目经理", "约谈建设单位和施工单位，明确支付时限。"),
                ],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令施工单位限期支付拖欠工资，建设单位承担连带责任。",
                "经协调，施工单位已于本月支付拖欠的工资共计41.6万元，涉及农民工23人。如仍有未结清情况，请再与我们联系。",
                [],
            ),
            ("approve", "同意，请跟踪回访。"),
            ("wait", 2),
        ],
    ),
    DemoCase(
        title="户籍窗口工作人员态度恶劣",
        category="attitude-rude",
        subject="城关镇便民服务中心",
        channel=Channel.WEB,
        content="去城关镇便民服务中心给孩子办户口迁移，材料不全被工作人员当众呵斥，问需要补什么材料也不一次性说清楚，"
        "前后跑了四趟才办好。",
        petitioner=("郭海燕", "13807464452"),
        steps=[
            *_investigated(
                note="请城关镇人民政府调查处理。",
                activities=[("talk", "便民服务中心主任、当事工作人员", "约谈当事工作人员，其承认态度生硬。")],
            ),
            (
                "submit",
                PARTLY,
                "对当事工作人员批评教育，责令落实一次性告知制度。",
                "经调查，该工作人员存在服务态度生硬、未一次性告知的问题，已对其批评教育。关于跑了四趟的情况，"
                "其中一次系户籍系统故障所致。",
                [_criticise("对当事工作人员批评教育")],
            ),
            ("approve", "同意。"),
            ("wait", 3),
            ("rate", "dissatisfied", "只是批评教育太轻了，也没有人给我道歉。"),
        ],
    ),
    DemoCase(
        title="卫生院医生暗示收红包",
        category="favours-gifts",
        subject="柳河乡卫生院",
        channel=Channel.MAILBOX,
        content="母亲在柳河乡卫生院做手术前，主治医生多次暗示家属“表示一下”，我们担心影响手术，只好送了500元购物卡。",
        petitioner=("杨丽", "13807465563"),
        steps=[
            *_investigated(
                note="请县卫生健康局调查。",
                activities=[
                    ("talk", "县卫健局纪检组、涉事医生", "约谈涉事医生，其承认收受购物卡。"),
                    ("check", "卫生院院办", "核查购物卡消费记录。"),
                ],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令当事医生退还所收财物，移送县纪委监委依纪处理。",
                "经调查，您反映的问题属实，当事医生已退还购物卡，并已移送县纪委监委处理。",
                [{"kind": "referral", "description": "移送县纪委监委依纪处理"}],
            ),
            ("approve", "同意。"),
            ("wait", 5),
            ("review", "只退了购物卡，处理结果没有告诉我们，申请复查。"),
            ("wait", 10),
            (
                "decide_review",
                SUBSTANTIATED,
                "维持原处理，并告知处分结果。",
                "经复查，原处理意见正确。当事医生已受到党内警告处分，调离临床岗位。",
            ),
            ("wait", 1),
            ("approve", "同意复查（复核）意见。"),
            ("wait", 1),
        ],
    ),
    DemoCase(
        title="城关镇第一小学强制订校服",
        category="fees-education",
        subject="城关镇第一小学",
        channel=Channel.WEB,
        content="城关镇第一小学要求新生必须在指定商家订购两套校服，共计420元，比市场价高出不少，也没有征求家长意见。",
        petitioner=None,
        handling=EDU,
        steps=[
            *_investigated(
                note="请县教育局调查校服征订情况。",
                activities=[("check", "县教育局、学校总务处", "核查校服采购程序和价格。")],
            ),
            (
                "submit",
                PARTLY,
                "校服为家长委员会组织采购，但学校存在强制征订行为，责令改为自愿征订。",
                "经调查，校服采购经家长委员会组织，价格经过比选；但学校要求“必须订购”不符合规定，已责令改为自愿。",
                [],
            ),
            ("approve", "同意。"),
            ("wait", 1),
        ],
    ),
    # --- Under review (复查) and re-review (复核) ----------------------------------------
    # Handled by 县教育局: its 复查 waits at the county (青溪县), which decides it with a
    # leader's approval; officer-edu cannot decide it.
    DemoCase(
        title="县实验小学课后服务费退费不到位",
        category="fees-education",
        subject="县实验小学",
        channel=Channel.WEB,
        content="县实验小学上学期课后服务只开了一半时间，学校说会退一半费用，但至今只退了100元，还差280元。",
        petitioner=("吴敏", "13807469907"),
        handling=EDU,
        steps=[
            *_investigated(
                note="请县教育局调查课后服务收退费情况。",
                activities=[("check", "县教育局计财股、学校财务室", "核对课后服务收费和退费台账。")],
            ),
            (
                "submit",
                UNSUBSTANTIATED,
                "学校已按实际服务天数退费，无少退情况。",
                "经核查，学校已按实际开展服务的天数足额退费，未发现少退情况。",
                [],
            ),
            ("approve", "同意。"),
            ("wait", 3),
            ("rate", "dissatisfied", "我有缴费和退费记录，明明少退了。"),
            ("review", "学校按“开课天数”算，但有一个月只上了一半课时，少退了280元，请上级复查。"),
            ("wait", 2),
        ],
    ),
    DemoCase(
        title="危房改造补助被村干部截留",
        category="benefits-subsidy",
        subject="石桥村村民委员会",
        channel=Channel.LETTER,
        content="我家是农村危房改造户，按政策应补助2.5万元，实际只拿到1.8万元，村干部说其余7000元是“统一采购材料费”，"
        "但我们根本没有见到什么材料。",
        petitioner=("朱建国", "13807466674"),
        received=6,
        occurred=90,
        steps=[
            *_investigated(
                note="请石桥镇人民政府调查。",
                activities=[
                    ("visit", "石桥镇农办、危改户", "入户查看危房改造情况。"),
                    ("check", "石桥村报账员", "调取危改补助资金拨付凭证。"),
                ],
            ),
            (
                "submit",
                UNVERIFIABLE,
                "材料采购凭证不全，无法核实7000元去向，责令村委会补充说明。",
                "经调查，村委会称7000元用于统一采购建材，但未能提供完整凭证，目前无法核实，已责令村委会补充说明。",
                [],
            ),
            ("approve", "同意。"),
            ("wait", 4),
            ("rate", "dissatisfied", "查了等于没查，钱到底去哪了？"),
            ("review", "对处理结果不满意，要求查清7000元去向。"),
            ("wait", 5),
        ],
    ),
    DemoCase(
        title="不动产登记超时不办结",
        category="inaction-delay",
        subject="县住房和城乡建设局",
        channel=Channel.WEB,
        content="今年三月提交的房屋不动产登记申请，窗口承诺15个工作日办结，现在已经两个多月了还没拿到证，"
        "每次打电话都说在审核。",
        petitioner=("胡芳", "13807467785"),
        steps=[
            *_investigated(
                note="由县政府办督办。",
                activities=[("check", "县住建局、登记窗口", "调阅办件流转记录，确认超期原因。")],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令五个工作日内办结，对超时办理进行通报。",
                "您的不动产登记已办结，证书可到窗口领取。对超时问题已责令整改。",
                [],
            ),
            ("approve", "同意。"),
            ("wait", 3),
            ("review", "证是拿到了，但超期两个月造成我贷款违约，损失没人管。"),
            ("wait", 8),
            (
                "decide_review",
                PARTLY,
                "超期属实；贷款违约损失不属于本办处理范围，告知其可通过民事途径主张。",
                "经复查，办理超期属实，已通报批评；您的贷款损失可依法通过民事诉讼主张。",
            ),
            ("wait", 1),
            ("approve", "同意复查（复核）意见。"),
            ("wait", 2),
            ("review", "对复查结果不满意，申请复核。"),
            ("wait", 3),
        ],
    ),
    # --- Closed ------------------------------------------------------------------------
    DemoCase(
        title="县医院门诊收费项目未公示",
        category="fees-medical",
        subject="县人民医院",
        channel=Channel.WEB,
        content="县人民医院门诊收费处没有公示收费项目和标准，病人交钱时不知道收的是什么费。",
        petitioner=("高明", "13807468896"),
        steps=[
            *_investigated(
                note="请县卫生健康局督促整改。",
                activities=[("look", "县卫健局医政股", "到门诊收费处查看，未公示属实。")],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令医院在收费处醒目位置公示收费项目、标准和投诉电话。",
                "经查属实，医院已在门诊和住院收费处设置公示栏。感谢您的监督。",
                [_rectify("县人民医院", "在门诊、住院收费处公示收费项目、标准和投诉电话", 15)],
            ),
            ("approve", "同意。"),
            ("wait", 2),
            ("rate", "satisfied", "现在收费处有公示了，很满意。"),
        ],
    ),
    DemoCase(
        title="道路坑洼多部门推诿无人维修",
        category="inaction-shirk",
        subject="县公路事业发展中心",
        channel=Channel.HOTLINE,
        content="来电人反映：石桥镇到县城的公路有一段坑洼严重，已发生多起摩托车摔倒事故，找交通局说归公路中心管，"
        "公路中心又说归镇里管，没人处理。",
        petitioner=("何志强", "13807469907"),
        steps=[
            *_investigated(
                note="请县交通运输局明确责任单位。",
                activities=[("look", "县交通运输局、公路中心", "现场查看路面损毁情况。")],
                wait=10,
            ),
            (
                "submit",
                SUBSTANTIATED,
                "明确由县公路事业发展中心负责维修，限期一个月完成。",
                "经协调，该路段由县公路事业发展中心负责，维修已完成，感谢您的反映。",
                [],
            ),
            ("approve", "同意。"),
            ("wait", 3),
            ("rate", "basically_satisfied", "路修好了，就是拖得太久。"),
        ],
    ),
    DemoCase(
        title="乡便民服务中心办事要请吃饭",
        category="favours-gifts",
        subject="柳河乡便民服务中心",
        channel=Channel.WEB,
        content="在柳河乡便民服务中心办宅基地审批，经办人说“材料要往上报，得请领导吃个饭”，否则就一直压着。",
        petitioner=None,
        steps=[
            *_investigated(
                note="请柳河乡人民政府调查。",
                activities=[("talk", "乡纪委、经办人", "约谈经办人，其否认索要宴请。")],
            ),
            (
                "submit",
                UNSUBSTANTIATED,
                "未发现经办人索要宴请的证据，对其进行提醒谈话。",
                "经调查，未发现经办人索要宴请的证据，您的宅基地审批已按规定办结。如有新的线索，欢迎继续反映。",
                [],
            ),
            ("approve", "同意。"),
            ("wait", 31),
            ("close",),
        ],
    ),
    DemoCase(
        title="幼儿园伙食费结余未退",
        category="fees-education",
        subject="城关镇中心幼儿园",
        channel=Channel.WEB,
        content="孩子去年在城关镇中心幼儿园上学，学期末伙食费有结余，幼儿园一直没有公布也没有退。",
        petitioner=("罗丽", "13807460018"),
        handling=EDU,
        steps=[
            *_investigated(
                note="请县教育局核查伙食费收支。",
                activities=[("check", "县教育局财务股", "核查伙食费收支台账。")],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令幼儿园公布伙食费收支，结余部分按人头退还。",
                "经查，幼儿园伙食费结余属实，已按每人138元退还，收支情况已公示。",
                [_refund("16560.00", "退还120名幼儿伙食费结余")],
            ),
            ("approve", "同意。"),
            ("wait", 2),
            ("rate", "satisfied", "钱已经退了，谢谢。"),
        ],
    ),
    DemoCase(
        title="社保中心工作人员上班时间玩手机",
        category="attitude-window",
        subject="县社会保险事业中心",
        channel=Channel.WEB,
        content="上午九点多在县社保中心三号窗口排队，窗口工作人员一直低头玩手机游戏，叫了几次才抬头。",
        petitioner=None,
        steps=[
            *_investigated(
                note="请县人社局调查。",
                activities=[("check", "县人社局机关党委", "调阅窗口监控录像，情况属实。")],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "对当事工作人员批评教育，扣发当月绩效。",
                "经调取监控核实，您反映的情况属实，已对当事人批评教育并扣发当月绩效。",
                [_criticise("批评教育并扣发当月绩效")],
            ),
            ("approve", "同意。"),
            ("wait", 35),
            ("close",),
        ],
    ),
    DemoCase(
        title="低保金被村会计冒领",
        category="benefits-subsidy",
        subject="柳河村村民委员会",
        channel=Channel.REFERRAL,
        content="市纪委监委转来群众来信：柳河村会计利用代管低保存折之便，冒领两户低保户低保金共计1.2万元。",
        petitioner=("王秀英", "13807461129"),
        received=7,
        occurred=200,
        steps=[
            *_investigated(
                note="上级交办件，请柳河乡人民政府限期查处。",
                activities=[
                    ("visit", "乡纪委、两户低保户", "入户核实低保金领取情况。"),
                    ("check", "信用社柳河分社", "调取存折取款记录。"),
                ],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令退还冒领资金，村会计移送司法机关。",
                "经查属实，冒领的1.2万元已全部退还给两户低保户，涉事村会计已移送司法机关。",
                [_refund("12000.00", "退还冒领的低保金"), {"kind": "referral", "description": "移送县公安局"}],
            ),
            ("approve", "同意。"),
            ("wait", 4),
            ("review", "还有一户也被冒领了，没查到。"),
            ("wait", 10),
            (
                "decide_review",
                SUBSTANTIATED,
                "补充核查第三户，追回冒领资金。",
                "经复查，第三户被冒领3600元属实，已追回并退还。",
            ),
            ("wait", 1),
            ("approve", "同意复查（复核）意见。"),
            ("wait", 3),
            ("review", "申请复核：要求公开处理结果。"),
            ("wait", 12),
            (
                "decide_review",
                SUBSTANTIATED,
                "维持复查意见，处理结果在村务公开栏公示。",
                "经复核，维持复查意见；处理结果已在柳河村村务公开栏公示。",
            ),
            ("wait", 1),
            ("approve", "同意复查（复核）意见。"),
            ("wait", 2),
            ("close",),
        ],
    ),
    DemoCase(
        title="县中医医院强制患者做检查",
        category="fees-medical",
        subject="县中医医院",
        channel=Channel.WEB,
        content="只是去县中医医院开点感冒药，医生非要我先做血常规、胸片和心电图，一共花了380元。",
        petitioner=("孙丽", "13807462230"),
        steps=[
            *_investigated(
                note="请县卫生健康局调查。",
                activities=[("check", "县卫健局医政股、医院医务科", "组织专家审查病历和检查单。")],
            ),
            (
                "submit",
                UNSUBSTANTIATED,
                "专家认为检查符合诊疗规范，对医生沟通不足提出改进要求。",
                "经专家审查，您当时伴有发热和胸闷，相关检查符合诊疗规范；医生未充分解释检查必要性，已要求改进。",
                [],
            ),
            ("approve", "同意。"),
            ("wait", 2),
            ("rate", "basically_satisfied", "解释清楚了，可以接受。"),
        ],
    ),
    # --- Not accepted, transferred, merged ---------------------------------------------
    DemoCase(
        title="邻居占用宅基地纠纷",
        category="other",
        subject="西关村村民委员会",
        channel=Channel.VISIT,
        content="邻居建房占了我家宅基地一米多，村里调解了两次没有结果，要求纠风办处理。",
        petitioner=("陈海燕", "13807463341"),
        steps=[("wait", 3), ("reject", "宅基地权属纠纷属民事纠纷，请通过人民调解或向人民法院起诉解决，本办不予受理。")],
    ),
    DemoCase(
        title="对法院判决结果不服",
        category="other",
        subject=None,
        channel=Channel.LETTER,
        content="去年我和某公司的买卖合同纠纷，县法院判决我败诉，我认为判决不公，请求纠风办重新处理。",
        petitioner=("李建国", "13807464452"),
        received=3,
        steps=[
            ("wait", 4),
            ("reject", "对人民法院生效判决不服，应依法申请再审，不属于本办受理范围。"),
        ],
    ),
    DemoCase(
        title="内容不具体的投诉",
        category="other",
        subject="县交通运输综合行政执法大队",
        channel=Channel.WEB,
        content="测试测试，随便写写。",
        petitioner=None,
        steps=[("wait", 1), ("reject", "反映内容不具体，无法调查；如有具体问题，欢迎写明时间、地点和经过后重新投诉。")],
    ),
    DemoCase(
        title="市直医院收费问题",
        category="fees-medical",
        subject=None,
        channel=Channel.WEB,
        content="在市第一人民医院住院，被重复收取耗材费，希望调查。",
        petitioner=("马丽", "13807465574"),
        steps=[("wait", 2), ("transfer", "市纠风办", "被投诉单位为市直医院，不属于本县管辖，已转市纠风办办理。")],
    ),
    DemoCase(
        title="网络平台商家虚假宣传",
        category="other",
        subject=None,
        channel=Channel.HOTLINE,
        content="来电人反映在网上买的保健品宣传能治高血压，吃了没有效果，商家不给退货。",
        petitioner=("周明", "13807466685"),
        steps=[("wait", 1), ("transfer", "县市场监督管理局12315投诉举报中心", "属消费纠纷，转12315依法处理。")],
    ),
    DemoCase(
        title="学校逼着买教辅资料（重复反映）",
        category="fees-education",
        subject="县第一中学",
        channel=Channel.HOTLINE,
        content="来电人反映：县第一中学初二年级要求每人交180元资料费，与网上已有投诉反映的是同一件事。",
        petitioner=("吴桂兰", "13807467796"),
        steps=[("wait", 1), ("merge", "学校强制学生购买教辅资料")],
    ),
    DemoCase(
        title="县医院多收CT费（重复反映）",
        category="fees-medical",
        subject="县人民医院",
        channel=Channel.LETTER,
        content="我父亲住院期间CT检查被收了两次费，出院清单上写得清清楚楚，请调查。",
        petitioner=("刘桂兰", "13807467702"),
        received=2,
        steps=[("wait", 1), ("merge", "县医院住院费用清单重复收费")],
    ),
    DemoCase(
        title="西关村低保不公开（重复反映）",
        category="benefits-subsidy",
        subject="西关村村民委员会",
        channel=Channel.MAILBOX,
        content="西关村低保评定没有张榜公示，村干部亲属吃低保，群众意见很大。",
        petitioner=None,
        steps=[("wait", 1), ("merge", "低保评定优亲厚友")],
    ),
    # Closed, with a long-term rule adopted (长效机制): on the transparency page (/public/).
    DemoCase(
        title="中学食堂饭菜价格随意上涨",
        category="fees-education",
        subject="县第一中学",
        channel=Channel.WEB,
        content="县第一中学食堂这学期饭菜价格涨了三成，没有任何通知，学生只能在食堂吃饭，家长意见很大。",
        petitioner=("陈红", "13807461234"),
        handling=EDU,
        steps=[
            *_investigated(
                note="请县教育局核查食堂价格。",
                activities=[("check", "县教育局财务股", "核查食堂成本台账，涨价未经家长委员会讨论。")],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "责令学校恢复原价，建立食堂价格调整公示制度。",
                "经查属实，食堂已恢复原价，今后调价须经家长委员会讨论并提前公示。",
                [_rule("县第一中学", "食堂饭菜价格调整须经家长委员会讨论，并提前一周在校内公示", 30)],
            ),
            ("approve", "同意。"),
            ("wait", 2),
            ("rate", "satisfied", "价格恢复了，谢谢。"),
        ],
    ),
    DemoCase(
        title="办证窗口反复要求补交材料",
        category="attitude-window",
        subject="城关镇便民服务中心",
        channel=Channel.HOTLINE,
        content="来电人反映：在城关镇便民服务中心办理营业执照，前后跑了四趟，每次都被告知还缺一份材料。",
        petitioner=None,
        steps=[
            *_investigated(
                note="请城关镇人民政府调查。",
                activities=[("talk", "镇纪委、窗口负责人", "窗口未落实一次性告知制度属实。")],
            ),
            (
                "submit",
                SUBSTANTIATED,
                "对窗口负责人批评教育，落实一次性告知制度。",
                "经查属实，窗口已公示办事材料清单，实行一次性告知。",
                [_rule("城关镇便民服务中心", "实行一次性告知制度，各窗口公示办事材料清单", 30)],
            ),
            ("approve", "同意。"),
            ("wait", 2),
            ("rate", "satisfied", "现在一次就办好了。"),
        ],
    ),
    # 行风监督员's observation: the demo supervisor (demo.evaluations) saw it at the window.
    DemoCase(
        title="便民服务中心窗口午休提前离岗",
        category="attitude-window",
        subject="城关镇便民服务中心",
        channel=Channel.SUPERVISOR,
        content="11月20日上午11:30我到城关镇便民服务中心暗访，社保窗口已无人，门口排队的六七位群众"
        "被告知“下午再来”，而公示的午休时间是12:00。建议核查窗口考勤和弹性工作制落实情况。",
        petitioner=("何监督", "13807468801"),
        location="城关镇便民服务中心社保窗口",
        steps=[("wait", 2)],
    ),
]


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _age_targets() -> list[tuple]:
    """Each table holding a case's timestamps, with the column naming the case and its time fields."""
    targets = [(Complaint, "id"), (Complaint.history.model, "id")]
    for relation in Complaint._meta.related_objects:
        model = relation.related_model
        if model is Complaint:
            continue  # Other cases (duplicates) keep their own time.
        targets.append((model, relation.field.attname))
        if hasattr(model, "history"):
            targets.append((model.history.model, relation.field.attname))
    return [
        (model, column, [f.attname for f in model._meta.concrete_fields if isinstance(f, DateTimeField)])
        for model, column in targets
    ]


def _age(complaint_id: int, days: int) -> None:
    """Move every timestamp of a case and its records ``days`` back, as if that much time had passed.

    Only when things happened changes; no status, no content. Queryset updates bypass the
    append-only save() guards deliberately: this is the demo's clock, not an edit.
    """
    delta = datetime.timedelta(days=days)
    for model, column, fields in _age_targets():
        if fields:
            model._base_manager.filter(**{column: complaint_id}).update(**{name: F(name) - delta for name in fields})
    fields = [f.attname for f in Deadline._meta.concrete_fields if isinstance(f, DateTimeField)]
    Deadline.objects.filter(content_type=ContentType.objects.get_for_model(Complaint), object_id=complaint_id).update(
        **{name: F(name) - delta for name in fields}
    )


class Cast:
    """Who does what on a case: the 纠风办 triages, the handling unit's staff handle, its leaders approve.

    A review is decided by the first demo user the rules let decide it (the reviewing unit's
    staff, or the county's leaders where none is above), and approved by the first leader
    who may (never who decided it).
    """

    def __init__(self):
        self.officer = _user("officer")
        self.officer_edu = _user("officer-edu")
        self.leader = _user("leader")
        self.leader_edu = _user("leader-edu")
        self.principal = _user("leader-county")

    def handler(self, complaint: Complaint):
        return self.officer_edu if self._education(complaint) else self.officer

    def reviewer(self, complaint: Complaint):
        people = (self.officer_edu, self.officer, self.leader, self.principal)
        return next(user for user in people if permissions.can_decide_review(user, complaint))

    def approver(self, complaint: Complaint, may=permissions.can_approve):
        people = (self.leader_edu, self.leader, self.principal)
        return next(user for user in people if may(user, complaint))

    @staticmethod
    def _education(complaint: Complaint) -> bool:
        unit = complaint.handling_unit
        education = Unit.objects.get(name=EDU)
        return unit is not None and unit.path.startswith(education.path)


def _may_decide_extension(user, complaint: Complaint) -> bool:
    return permissions.can_decide_extension(user, complaint, guards.extension_pending(complaint))


def _measures(measures: list[dict]) -> list[dict]:
    today = timezone.localdate()
    prepared = []
    for measure in measures:
        measure = dict(measure)
        if "responsible_unit" in measure:
            measure["responsible_unit"] = Unit.objects.get(name=measure["responsible_unit"])
            measure["due_on"] = today + datetime.timedelta(days=measure.pop("due_in"))
        prepared.append(measure)
    return prepared


def _step(step: tuple, complaint: Complaint, cast: Cast, case: DemoCase) -> None:
    name, *args = step
    pk = complaint.pk
    if name == "wait":
        _age(pk, args[0])
    elif name == "accept":
        handling = Unit.objects.get(name=case.handling) if case.handling else None
        transitions.complaint_accept(complaint_id=pk, actor=cast.officer, handling_unit=handling, note=args[0])
    elif name == "reject":
        transitions.complaint_reject(complaint_id=pk, actor=cast.officer, reason=args[0])
    elif name == "transfer":
        transitions.complaint_transfer(complaint_id=pk, actor=cast.officer, to=args[0], reason=args[1])
    elif name == "merge":
        primary = Complaint.objects.get(title=args[0])
        transitions.complaint_merge(complaint_id=pk, actor=cast.officer, primary_id=primary.pk)
    elif name == "start":
        transitions.complaint_start_investigation(complaint_id=pk, actor=cast.handler(complaint))
    elif name == "activity":
        kind, participants, summary, *checked = args
        services.activity_record(
            complaint_id=pk,
            actor=cast.handler(complaint),
            kind=kind,
            occurred_at=timezone.now() - datetime.timedelta(hours=2),
            participants=participants,
            summary=summary,
            checked=checked[0] if checked else [],
        )
    elif name == "void":
        summary, reason = args
        activity = complaint.activities.get(summary=summary)
        services.activity_void(complaint_id=pk, activity_id=activity.pk, actor=cast.handler(complaint), reason=reason)
    elif name == "message":
        who, body = args
        services.message_add(complaint_id=pk, body=body, actor=cast.handler(complaint) if who == "staff" else None)
    elif name == "note":
        services.internal_note_add(complaint_id=pk, actor=cast.handler(complaint), body=args[0])
    elif name == "identity":
        services.identity_read(complaint_id=pk, actor=cast.officer, via="page")
    elif name == "extension":
        services.extension_request(complaint_id=pk, actor=cast.handler(complaint), days=args[0], reason=args[1])
    elif name == "approve_extension":
        approver = cast.approver(complaint, may=_may_decide_extension)
        transitions.complaint_approve_extension(complaint_id=pk, actor=approver, note=args[0])
    elif name == "submit":
        finding, disposition, reply, measures = args
        transitions.complaint_submit_for_approval(
            complaint_id=pk,
            actor=cast.handler(complaint),
            finding=finding,
            disposition=disposition,
            reply=reply,
            measures=_measures(measures),
        )
    elif name == "send_back":
        transitions.complaint_send_back(complaint_id=pk, actor=cast.approver(complaint), reason=args[0])
    elif name == "approve":
        transitions.complaint_approve(complaint_id=pk, actor=cast.approver(complaint), note=args[0])
    elif name == "rate":
        services.rating_add(complaint_id=pk, rating=args[0], comment=args[1])
    elif name == "review":
        transitions.complaint_review(complaint_id=pk, reason=args[0])
    elif name == "decide_review":
        finding, disposition, reply = args
        transitions.complaint_decide_review(
            complaint_id=pk, actor=cast.reviewer(complaint), finding=finding, disposition=disposition, reply=reply
        )
    elif name == "close":
        transitions.complaint_close(complaint_id=pk, actor=cast.handler(complaint))
    else:
        raise ValueError(f"unknown demo step {name!r}")


def _file(case: DemoCase, cast: Cast) -> Complaint:
    now = timezone.now()
    name, phone = case.petitioner or ("", "")
    complaint, _code = services.complaint_file(
        channel=case.channel,
        category=Category.objects.get(code=case.category),
        subject_unit=Unit.objects.get(name=case.subject) if case.subject else None,
        title=case.title,
        content=case.content,
        occurred_on=None if case.occurred is None else timezone.localdate() - datetime.timedelta(days=case.occurred),
        location=case.location,
        anonymous=case.petitioner is None,
        name=name,
        phone=phone,
        id_number="",
        email="",
        received_at=now - datetime.timedelta(days=case.received),
        # Staff enter what came by other channels; a web filing is the petitioner's own.
        actor=None if case.channel == Channel.WEB else cast.officer,
    )
    if case.title in DEMO_CODES:
        # Only the hash is stored: a fixed code's hash replaces the random one's, as a change
        # of its own in the case's history (history is never rewritten).
        complaint.tracking_code_hash = tracking_code_hash(DEMO_CODES[case.title])
        complaint._change_reason = "seed_demo: fixed tracking code"
        complaint.save(update_fields=["tracking_code_hash"])
    return complaint


def seed_cases(out) -> None:
    cast = Cast()
    if cast.officer is None:
        return
    created = 0
    for case in CASES:
        if Complaint.objects.filter(title=case.title).exists():
            continue
        complaint = _file(case, cast)
        for step in case.steps:
            complaint.refresh_from_db()
            _step(step, complaint, cast, case)
        created += 1
    out.write(f"complaints: {created} created, {Complaint.objects.count()} in all")
    out.write("  demo tracking codes (try them at /track/):")
    for title, code in DEMO_CODES.items():
        out.write(f"    {code}  {title}")
