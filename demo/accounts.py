"""Demo accounts of API.md, created only by seed_demo. Units place them: demo.county."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from jiufeng.roles import Role

DEMO_PASSWORD = "jiufeng-demo"

DEMO_ACCOUNTS = {
    "admin": "system administrator",
    "officer": "officer of the county 纠风办: every case in the county",
    "officer-edu": "liaison officer (纠风专干) of the education bureau: its subtree, never complaints about it",
    "leader": "county leader in charge of 纠风 work: sees everything but complaints about the county, approves",
    "leader-edu": "principal of the education bureau: its subtree, never complaints about it; 包片 县卫生健康局",
    "auditor": "read-only access to all history",
    "leader-county": (
        "principal (主要负责人) of 青溪县: the top of the escalation ladder; "
        "approves what the county's leadership decides, e.g. a 复核"
    ),
    "leader-school": "principal of 县第一中学: approves and is told of the school's overdue work",
    "officer-school": "liaison officer of 县第一中学: the first reminded of the school's overdue work",
    "officer-health": "liaison officer of 县卫生健康局: the first reminded of the bureau's overdue work",
    "leader-health": "principal of 县卫生健康局: approves and is told of the bureau's overdue work",
    "officer-town-school": "liaison officer of 城关镇第一小学: the first reminded of the school's overdue work",
    "supervisor": "conduct supervisor (行风监督员) appointed by 青溪县: rates units, files observations (/evaluator/)",
    "deputy": "people's deputy (人大代表) invited to rate 青溪县's service windows in the appraisals",
}

_PROFILES = {
    "admin": ("系统管理员", Role.ADMINISTRATOR),
    "officer": ("王纠风", Role.OFFICER),
    "officer-edu": ("李专干", Role.OFFICER),
    "leader": ("张县长", Role.LEADER),
    "leader-edu": ("陈局长", Role.LEADER),
    "auditor": ("赵审计", Role.AUDITOR),
    "leader-county": ("刘县长", Role.LEADER),
    "leader-school": ("孙校长", Role.LEADER),
    "officer-school": ("吴老师", Role.OFFICER),
    "officer-health": ("郑专干", Role.OFFICER),
    "leader-health": ("周局长", Role.LEADER),
    "officer-town-school": ("钱老师", Role.OFFICER),
    "supervisor": ("何监督", Role.EVALUATOR),
    "deputy": ("林代表", Role.EVALUATOR),
}


def seed(out) -> None:
    User = get_user_model()
    created = 0
    for username, (display_name, role) in _PROFILES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            is_admin = role == Role.ADMINISTRATOR
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                display_name=display_name,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            created += 1
        group = Group.objects.get(name=role.value)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
    out.write(f"accounts: {created} created, {len(_PROFILES) - created} already there")
