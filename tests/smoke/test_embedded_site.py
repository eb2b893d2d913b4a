"""`make run`'s site on SQLite: migrated, seeded twice, a complaint filed through the API and
through the filing page, tracked by its code, accepted by `officer`, and one sweep far ahead.

Everything goes through the outside contract (API.md, the pages) with the demo accounts and
codes that README prints; what is asserted is what a petitioner or an officer would notice.
"""

import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.smoke

DEMO_PASSWORD = "jiufeng-demo"
DEMO_ACCOUNTS = [
    *("admin", "officer", "officer-edu", "leader", "leader-edu", "auditor"),
    *("leader-county", "leader-school", "officer-school", "officer-health", "leader-health", "officer-town-school"),
    *("supervisor", "deputy"),
]
DEMO_CODES = ["JF-DEM0-2222-0001-ACDE", "JF-DEM0-2222-0002-ACDE", "JF-DEM0-2222-0003-ACDE"]
CODE = re.compile(r"JF(-[0-9A-Z]{4}){4}")
FAR_AHEAD = "2100-01-04T09:00:00+08:00"


def filed_through_the_api(api: APIClient, *, title: str) -> str:
    """A petitioner's anonymous complaint about 县第一中学's fees, through the public API; its code."""
    categories = {c["code"]: c["id"] for c in api.get("/api/v1/categories/").json()}
    units = {u["name"]: u["id"] for u in api.get("/api/v1/units/public/").json()}
    response = api.post(
        "/api/v1/complaints/",
        {
            "category": categories["fees-education"],
            "subject_unit": units["县第一中学"],
            "title": title,
            "content": f"{title}：班主任要求每人交200元购买指定资料，不交不让上课。",
            "anonymous": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["accept_due_at"]
    assert CODE.fullmatch(body["tracking_code"])
    return body["tracking_code"]


def tracked_through_the_api(code: str) -> dict:
    response = APIClient().get(f"/api/v1/track/{code}/")
    assert response.status_code == 200, response.content
    return response.json()


def tracked_through_the_page(code: str) -> str:
    """The case page a new browser reaches by typing the code (lower case, spaced) on /track/."""
    browser = Client()
    assert browser.get("/track/").status_code == 200
    typed = code.lower().replace("-", " ")
    response = browser.post("/track/", {"code": typed})
    assert response.status_code == 302, response.content.decode()
    assert re.fullmatch(r"/track/\d+/", response.url)
    page = browser.get(response.url)
    assert page.status_code == 200
    return page.content.decode()


def page_status(html: str) -> str:
    return re.search(r'data-testid="status" data-status="(\w+)"', html).group(1)


def officer_api() -> APIClient:
    """`officer` signed in to the API with the demo password, as a client would."""
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "officer", "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api


def case_found_by_code(api: APIClient, code: str) -> dict:
    results = api.get("/api/v1/complaints/", {"q": code}).json()["results"]
    assert len(results) == 1, results
    return api.get(f"/api/v1/complaints/{results[0]['id']}/").json()


def test_the_site_runs_on_sqlite_with_no_server_and_is_migrated_and_seeded_alike_twice(demo):
    assert connection.vendor == "sqlite"
    assert settings.CELERY_BROKER_URL == "filesystem://"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    # Every migration is applied: migrate --check exits 1 otherwise.
    call_command("migrate", check_unapplied=True, verbosity=0)
    assert f"accounts: {len(DEMO_ACCOUNTS)} created" in demo.first
    assert f"accounts: 0 created, {len(DEMO_ACCOUNTS)} already there" in demo.second
    assert "complaints: 0 created" in demo.second
    assert demo.rows_after_second == demo.rows_after_first
    for output in (demo.first, demo.second):
        assert all(code in output for code in DEMO_CODES)
        assert all(re.search(rf"^  {re.escape(name)} ", output, re.M) for name in DEMO_ACCOUNTS)


def test_the_printed_demo_accounts_sign_in_and_the_demo_codes_open_their_cases(demo):
    for username in DEMO_ACCOUNTS:
        browser = Client()
        response = browser.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert browser.get("/").context["user"].username == username
    for code in DEMO_CODES:
        assert tracked_through_the_api(code)["tracking_code"] == code
        assert page_status(tracked_through_the_page(code))
    # The appraisal codes seed_demo prints open this year's questionnaire, on the API and the page.
    appraisal_codes = re.findall(r"^    ([2-9A-Z]{10})  ", demo.first, re.M)
    assert len(appraisal_codes) == 3
    for code in appraisal_codes:
        assert APIClient().get(f"/api/v1/appraisal/{code}/").json()["items"]
        assert Client().get(f"/appraisal/{code}/").status_code == 200


def test_a_petitioner_files_through_the_api_and_follows_the_case_by_its_code(demo):
    code = filed_through_the_api(APIClient(), title="烟测：学校强制订购教辅资料")

    tracked = tracked_through_the_api(code)
    assert tracked["status"] == "submitted"
    assert tracked["timeline"]
    html = tracked_through_the_page(code)
    assert page_status(html) == "submitted"
    assert "烟测：学校强制订购教辅资料" in html


def test_a_petitioner_files_through_the_filing_page_and_follows_the_case_by_its_code(demo):
    browser = Client()
    form = browser.get("/file/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'lang="zh-Hans"' in html
    category = re.search(r'value="(\d+)" id="category-\d+"\s*>\s*<label[^>]*>\s*教育乱收费', html)
    unit = re.search(r'<option value="(\d+)"[^>]*>县第一中学</option>', html)
    assert category and unit, "the form offers 教育乱收费 and 县第一中学"

    response = browser.post(
        "/file/",
        {
            "category": category.group(1),
            "subject_unit": unit.group(1),
            "title": "烟测：网页投诉教辅费",
            "content": "学校要求家长在指定书店购买教辅，每人180元。",
            "occurred_on": "",
            "location": "",
            "identity": "anonymous",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert response.url == "/file/receipt/"
    receipt = browser.get(response.url).content.decode()
    code = unescape(re.search(r'data-testid="tracking-code" data-code="([^"]+)"', receipt).group(1))
    assert CODE.fullmatch(code)
    kept = browser.post("/file/receipt/")
    assert kept.status_code == 302
    assert page_status(browser.get(kept.url).content.decode()) == "submitted"

    # Later, on another browser, and from an app through the API.
    html = tracked_through_the_page(code)
    assert page_status(html) == "submitted"
    assert "烟测：网页投诉教辅费" in html
    assert tracked_through_the_api(code)["status"] == "submitted"


def test_officer_accepts_a_new_complaint_through_the_api_and_the_petitioner_sees_it(demo):
    code = filed_through_the_api(APIClient(), title="烟测：待受理的投诉")
    api = officer_api()
    case = case_found_by_code(api, code)
    assert case["status"] == "submitted"
    assert "accept" in case["available_transitions"]

    response = api.post(f"/api/v1/complaints/{case['id']}/transitions/accept/", {"note": "予以受理"}, format="json")
    assert response.status_code == 200, response.content
    accepted = response.json()
    assert accepted["status"] == "accepted"
    # Routed to the school's supervising department.
    assert accepted["handling_unit"]["name"] == "县教育局"
    assert api.post(f"/api/v1/complaints/{case['id']}/transitions/accept/", {}, format="json").status_code == 409

    tracked = tracked_through_the_api(code)
    assert tracked["status"] == "accepted"
    assert len(tracked["timeline"]) >= 2
    assert page_status(tracked_through_the_page(code)) == "accepted"


def test_one_sweep_far_ahead_escalates_the_overdue_work_and_staff_see_it(demo):
    code = filed_through_the_api(APIClient(), title="烟测：无人受理的投诉")
    api = officer_api()
    (to_accept,) = case_found_by_code(api, code)["deadlines"]
    assert to_accept["level"] == -1
    before = api.get("/api/v1/escalations/").json()["count"]
    out = io.StringIO()

    call_command("sweep_deadlines", "--at", FAR_AHEAD, stdout=out)

    printed = out.getvalue()
    assert printed.startswith("Sweep as of 2100-01-04T09:00:00+08:00")
    escalated = int(re.search(r"^escalated (\d+),", printed, re.M).group(1))
    assert escalated > 0
    assert api.get("/api/v1/escalations/").json()["count"] == before + escalated
    # The new case's time to accept ran out long before: its deadline went up its first level.
    assert re.search(rf"^  deadline {to_accept['id']} \(.*\) → level 0: ", printed, re.M)
    (escalated_deadline,) = case_found_by_code(api, code)["deadlines"]
    assert escalated_deadline["level"] == 0
