"""The demo categories (the problems 纠风 work deals with), routing rules and complaints."""

from complaints.models import Category, RoutingRule
from responsibility.models import Unit

from .cases import seed_cases
from .recurring import seed_recurring

# One category a line, two spaces of indent per level:
# code | name | English name | plain-language hint for petitioners
CATEGORIES = """
fees | 乱收费、乱罚款 | Arbitrary fees and fines | 被要求交不该交的钱，或被随意罚款
  fees-education | 教育乱收费 | Arbitrary school fees | 学校或老师收取规定以外的费用、强制订购资料
  fees-medical | 医疗乱收费 | Arbitrary medical charges | 医院重复收费、分解收费、强制检查
  fees-enterprise | 涉企乱收费乱摊派 | Fees and levies on businesses | 向企业、个体户摊派、收取不合规费用
  fees-fines | 乱罚款 | Arbitrary fines | 执法人员随意罚款、罚款不开票据
attitude | 服务态度差 | Rude or careless service | 态度生硬、冷漠，门难进、脸难看、话难听
  attitude-rude | 态度生硬冷漠 | Rude or cold treatment | 工作人员呵斥、讥讽、不耐烦
  attitude-window | 窗口服务不规范 | Irregular window service | 窗口无人、不按时上班、不一次性告知
favours | 吃拿卡要 | Asking for favours | 办事要请客送礼、收好处，不给就刁难
  favours-gifts | 索要收受财物 | Asking for or taking gifts | 索要或收受钱物、购物卡、宴请
  favours-obstruct | 故意刁难设卡 | Deliberate obstruction | 材料齐全却不给办，反复让跑腿
inaction | 不作为、慢作为 | Inaction or delay | 该办的事不办、拖着办、推来推去
  inaction-delay | 办事拖延 | Delays | 超过承诺时限不办结
  inaction-shirk | 推诿扯皮 | Passing the buck | 部门之间互相推脱，没人管
  inaction-ignore | 群众诉求置之不理 | Ignoring the public | 反映问题长期没有回音
benefits | 侵害群众利益 | Taking what people are owed | 截留、克扣、挪用群众应得的钱和待遇
  benefits-subsidy | 截留挪用惠民补贴 | Withheld subsidies | 低保、补贴、救助款被截留、克扣、优亲厚友
  benefits-wages | 拖欠工资社保 | Unpaid wages or social insurance | 工资、社保、工程款被拖欠
  benefits-housing | 保障房分配不公 | Unfair housing allocation | 保障性住房分配不公开、不公平
procurement | 采购与工程中的不正之风 | Kickbacks in procurement and construction | 吃回扣、围标串标、指定供应商
  procurement-kickback | 吃回扣 | Kickbacks | 采购、工程中收受回扣
  procurement-rigging | 围标串标 | Bid rigging | 招投标中内定、围标、串标
enforcement | 执法不规范 | Irregular law enforcement | 粗暴执法、选择性执法、以罚代管
formalism | 形式主义官僚主义 | Formalism and bureaucratism | 只留痕不办事、层层加码、文山会海
other | 其他 | Other | 以上都不是，或不确定属于哪一类
"""

# The hints in English, for readers who chose English.
HINTS_EN = {
    "fees": "Being made to pay money you do not owe, or being fined at will",
    "fees-education": "A school or teacher charging fees beyond the rules, or forcing you to buy materials",
    "fees-medical": "A hospital charging twice, splitting charges, or forcing tests on you",
    "fees-enterprise": "Levies or non-compliant fees imposed on businesses and the self-employed",
    "fees-fines": "Officers fining at will, or fining without a receipt",
    "attitude": "Curt, cold staff: hard to get in, hard faces, harsh words",
    "attitude-rude": "Staff scolding, mocking or showing impatience",
    "attitude-window": "Nobody at the window, staff not on time, not telling you everything needed at once",
    "favours": "Being expected to treat or give gifts, and obstructed if you do not",
    "favours-gifts": "Asking for or taking money, goods, shopping cards or meals",
    "favours-obstruct": "Your papers are complete but it is not done, and you are sent back again and again",
    "inaction": "What should be done is not done, is dragged out, or is passed around",
    "inaction-delay": "Not done within the promised time",
    "inaction-shirk": "Departments passing it back and forth, nobody taking charge",
    "inaction-ignore": "No answer for a long time to a problem you raised",
    "benefits": "Money and benefits owed to you withheld, docked or diverted",
    "benefits-subsidy": "Subsistence allowances, subsidies or relief withheld, docked, or given to relatives first",
    "benefits-wages": "Wages, social insurance or payment for building work not paid",
    "benefits-housing": "Subsidised housing allocated unfairly or in secret",
    "procurement": "Kickbacks, bid rigging, suppliers named in advance",
    "procurement-kickback": "Kickbacks taken in purchasing or building work",
    "procurement-rigging": "Bids decided in advance, rigged or colluded on",
    "enforcement": "Rough or selective enforcement, fines instead of management",
    "formalism": "Paperwork instead of action, targets piled on level by level, endless documents and meetings",
    "other": "None of the above, or not sure which",
}

# Time limits of their own (days), where the defaults do not fit: unpaid wages cannot wait 60 days.
TIME_LIMITS = {"benefits-wages": {"resolve_days": 30}, "fees-education": {"accept_days": 7}}

# (category code, about units under, handling unit, note): where the supervising department is not the right one.
ROUTING = [
    ("benefits-wages", None, "县人力资源和社会保障局", "拖欠工资由劳动保障监察部门处理"),
    ("procurement", None, "县纪委监委党风政风监督室", "采购和工程中的问题线索交党风政风监督室"),
]


def seed(out) -> None:
    _seed_categories(out)
    _seed_routing(out)
    seed_cases(out)
    seed_recurring(out)


def _seed_categories(out) -> None:
    created = 0
    ancestors: list[Category] = []
    for line in CATEGORIES.strip().splitlines():
        depth = (len(line) - len(line.lstrip())) // 2
        code, name, name_en, hint = (field.strip() for field in line.split("|"))
        category = Category.objects.filter(code=code).first()
        if category is None:
            fields = {
                "code": code,
                "name": name,
                "name_en": name_en,
                "hint": hint,
                "hint_en": HINTS_EN[code],
                **TIME_LIMITS.get(code, {}),
            }
            parent = ancestors[depth - 1] if depth else None
            category = (
                Category.objects.add_root(fields) if parent is None else Category.objects.add_child(parent, fields)
            )
            created += 1
        elif not category.hint_en and category.hint == hint:
            # Seeded before hints had their English.
            category.hint_en = HINTS_EN[code]
            category._change_reason = "seed_demo"
            category.save(update_fields=["hint_en"])
        ancestors[depth:] = [category]
    out.write(f"categories: {created} created, {Category.objects.count()} in all")


def _seed_routing(out) -> None:
    created = 0
    for code, subject, handling, note in ROUTING:
        category = Category.objects.get(code=code)
        subject_unit = Unit.objects.filter(name=subject).first() if subject else None
        handling_unit = Unit.objects.filter(name=handling).first()
        if handling_unit is None or RoutingRule.objects.filter(category=category, subject_unit=subject_unit).exists():
            continue
        RoutingRule.objects.create(category=category, subject_unit=subject_unit, handling_unit=handling_unit, note=note)
        created += 1
    out.write(f"routing rules: {created} created, {RoutingRule.objects.count()} in all")
