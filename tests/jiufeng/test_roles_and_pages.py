import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from jiufeng.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_has_a_group_with_its_abilities():
    expected = {
        Role.PETITIONER: {"follow_own_complaints"},
        Role.OFFICER: {"handle_cases", "view_identity", "view_dashboard"},
        Role.LEADER: {"approve_cases", "view_identity", "view_dashboard"},
        Role.AUDITOR: {"audit_history"},
    }
    for role, abilities in expected.items():
        codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert abilities <= codenames, role
    assert not {"approve_cases", "view_identity"} & set(
        Group.objects.get(name=Role.AUDITOR).permissions.values_list("codename", flat=True)
    )
    assert not Group.objects.get(name=Role.OFFICER).permissions.filter(codename="approve_cases").exists()


def test_administrators_hold_every_permission():
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name=Role.ADMINISTRATOR)
    assert group.permissions.count() == Permission.objects.count()


def test_home_page_invites_a_petitioner_to_file_or_track_in_chinese(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in body
    assert "我要投诉" in body
    assert reverse("complaints:complaint-file") in body
    assert reverse("complaints:complaint-track") in body
    assert "工作人员登录" in body


def test_switching_to_english_sticks_across_pages(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "File a complaint" in body


def test_an_unknown_language_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx"
    assert '<html lang="zh-Hans">' in client.get(reverse("home")).content.decode()


def test_anonymous_visitors_see_no_staff_entries(client):
    body = client.get(reverse("home")).content.decode()
    assert reverse("admin:index") not in body
    assert reverse("api-docs") not in body


def test_an_officer_sees_the_api_docs_but_not_the_administration(client):
    client.force_login(UserFactory(roles=[Role.OFFICER]))
    body = client.get(reverse("home")).content.decode()
    assert reverse("api-docs") in body
    assert reverse("admin:index") not in body
    assert "纪检干部" in body


def test_an_administrator_sees_the_administration(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True))
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_login_with_a_wrong_password_says_so_and_logs_nobody_in(client):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client):
    user = UserFactory(roles=[Role.OFFICER])
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_refuses_to_redirect_to_another_host(client):
    user = UserFactory()
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("landing")


def test_a_non_staff_user_cannot_open_the_admin(client):
    client.force_login(UserFactory(roles=[Role.OFFICER]))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_api_schema_is_served(client):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_api_schema_is_valid_and_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "/api/v1/units/public/" in (tmp_path / "schema.yml").read_text()


def test_the_api_docs_load_nothing_from_another_host(client):
    body = client.get(reverse("api-docs")).content.decode()
    assert "/static/vendor/swagger-ui-dist-" in body
    lowered = body.lower()
    # A CDN's host (drf-spectacular's default loads cdn.jsdelivr.net), not three letters that a
    # random CSRF token in the page may contain; and no script or style from any other host.
    assert "//cdn." not in lowered and "cdn.jsdelivr" not in lowered
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", lowered)
