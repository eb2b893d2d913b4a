"""The results: pages, the Excel file, the public page and the API."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent, AuditEventKind
from evaluations.models import Answer, AppraisalState, AppraisedUnit, EvaluatorGroup, Response
from evaluations.services.appraisals import appraisal_create, appraisal_units_add
from evaluations.services.scoring import appraisal_publish, appraisal_score
from responsibility.models import RectificationItem
from tests.factories import unit_add

from .scoring_fixtures import *  # noqa: F403
from .scoring_fixtures import responses_add

pytestmark = pytest.mark.django_db

SUPERVISOR, SERVICE_USER = EvaluatorGroup.SUPERVISOR, EvaluatorGroup.SERVICE_USER


@pytest.fixture
def scored(around_now, appraised, cast, closed_for_scoring):
    """Supervisors gave the bureau 90 and the sibling 70 (so the sibling rectifies); the school has no data."""
    responses_add(appraised.bureau, SUPERVISOR, [90])
    responses_add(appraised.sibling, SUPERVISOR, [70])
    closed_for_scoring(around_now)
    appraisal_score(actor=cast.county_officer, appraisal_id=around_now.pk)
    around_now.refresh_from_db()
    return around_now


def results_url(appraisal) -> str:
    return reverse("evaluations:appraisal-results", args=[appraisal.pk])


def test_the_results_page_ranks_each_group_with_its_chart_data(client, cast, scored):
    client.force_login(cast.county_officer)
    response = client.get(results_url(scored))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("县教育局") < page.index("县卫生健康局")
    assert "90.00" in page and "70.00" in page
    # The school has no data: listed without a score or rank.
    assert "没有数据：无得分、无名次" in page
    assert '<script id="appraisal-chart-data" type="application/json">' in page
    charts = {chart["group"]: chart for chart in response.context["charts"]}
    assert charts["部门"] == {"group": "部门", "units": ["县教育局", "县卫生健康局"], "scores": [90.0, 70.0]}
    # The school's group has no score to chart.
    assert charts["窗口"]["scores"] == []
    # No inline script or style: the page's policy would refuse them.
    assert "<script>" not in page and "style=" not in page
    # Scored, not yet published: the officer may not publish, only a leader.
    assert "批准并公布结果" not in page


def test_the_results_page_makes_a_constant_number_of_queries(client, cast, scored, django_assert_max_num_queries):
    client.force_login(cast.county_officer)
    with django_assert_max_num_queries(12) as few:
        client.get(results_url(scored))
    # Ten more units change nothing.
    for i in range(10):
        unit = unit_add(parent=cast.units.county, name=f"县第{i}局")
        AppraisedUnit.objects.create(appraisal=scored, unit=unit, ranking_group="部门", score=50 + i, rank=3 + i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(results_url(scored))
    assert response.content.decode().count('data-testid="ranking-row"') == 13


def test_results_out_of_scope_are_not_found(client, cast, scored):
    client.force_login(cast.bureau_officer)
    assert client.get(results_url(scored)).status_code == 404
    report = reverse("evaluations:appraisal-unit-report", args=[scored.pk, scored.appraised_units.first().pk])
    assert client.get(report).status_code == 404
    assert client.get(reverse("evaluations:appraisal-results-xlsx", args=[scored.pk])).status_code == 404


def test_scoring_from_the_page_then_scoring_again_says_why_not(client, cast, around_now, closed_for_scoring):
    closed_for_scoring(around_now)
    client.force_login(cast.county_officer)
    page = client.get(results_url(around_now)).content.decode()
    assert "为本次评议计分" in page
    response = client.post(reverse("evaluations:appraisal-transition", args=[around_now.pk, "score"]), follow=True)
    assert response.status_code == 200
    around_now.refresh_from_db()
    assert around_now.state == AppraisalState.SCORED
    again = client.post(reverse("evaluations:appraisal-transition", args=[around_now.pk, "score"]))
    assert again.status_code == 409
    assert "本次评议处于“已计分”状态，现在不能这样操作。" in again.content.decode()


def test_publishing_from_the_page_is_a_leaders(client, cast, scored):
    publish = reverse("evaluations:appraisal-transition", args=[scored.pk, "publish"])
    client.force_login(cast.county_officer)
    assert client.post(publish).status_code == 403
    assert not RectificationItem.objects.exists()
    client.force_login(cast.county_leader)
    assert "批准并公布结果" in client.get(results_url(scored)).content.decode()
    assert client.post(publish).status_code == 302
    scored.refresh_from_db()
    assert scored.state == AppraisalState.PUBLISHED
    assert list(RectificationItem.objects.values_list("responsible_unit__name", flat=True)) == ["县卫生健康局"]


def test_a_get_cannot_score_or_publish(client, cast, scored):
    client.force_login(cast.county_leader)
    assert client.get(reverse("evaluations:appraisal-transition", args=[scored.pk, "publish"])).status_code == 405
    scored.refresh_from_db()
    assert scored.state == AppraisalState.SCORED


def test_the_unit_report_explains_each_part_and_shows_answers_and_comments(client, cast, scored, appraised):
    item = scored.questionnaire.items.get(position=1)
    for value, comment in ((3, "窗口服务热情"), (2, "")):
        response = Response.objects.create(
            appraisal=scored, appraised_unit=appraised.bureau, group=SERVICE_USER, score=80, comment=comment
        )
        Answer.objects.create(response=response, item=item, value=value)
    client.force_login(cast.county_officer)
    page = client.get(
        reverse("evaluations:appraisal-unit-report", args=[scored.pk, appraised.bureau.pk])
    ).content.decode()
    assert "行风监督员评议" in page and "评议份数：1。" in page
    # The supervisors' part alone has data: it counts with all the weight.
    assert "得分 90.00 · 权重 20%，实际按 100.00% 计" in page and "计入 90.00 分" in page
    # Parts without data say so.
    assert "没有数据：不计入，其权重按比例分给有数据的部分。" in page
    # 满意 (100) and 基本满意 (60) on the first question: 80 on average.
    assert "80.00" in page
    assert "窗口服务热情" in page


def test_the_excel_file_holds_the_ranking_and_the_parts(client, cast, scored):
    client.force_login(cast.county_officer)
    response = client.get(reverse("evaluations:appraisal-results-xlsx", args=[scored.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2026年度民主评议政风行风：评议结果"
    header_at = next(i for i, row in enumerate(rows) if row[0] == "排名分组")
    assert sheet.freeze_panes == f"A{header_at + 2}"
    header = rows[header_at]
    assert header[:6] == ("排名分组", "名次", "单位", "得分", "等次", "须整改")
    body = {row[2]: row for row in rows[header_at + 1 :]}
    assert body["县教育局"][:6] == ("部门", 1, "县教育局", 90.0, "满意", None)
    assert body["县卫生健康局"][:6] == ("部门", 2, "县卫生健康局", 70.0, "基本满意", "是")
    assert body["县第一中学"][:6] == ("窗口", None, "县第一中学", None, None, None)
    supervisor_score = header.index("行风监督员评议 · 得分")
    assert body["县教育局"][supervisor_score] == 90.0
    # Logged as any export.
    event = AuditEvent.objects.get(kind=AuditEventKind.EXPORT)
    assert (event.user, event.detail["name"], event.detail["rows"], event.detail["complete"]) == (
        cast.county_officer,
        "appraisal_results",
        3,
        True,
    )


def test_the_public_page_shows_only_published_results(client, cast, scored):
    public = reverse("evaluations:appraisal-public", args=[scored.pk])
    assert client.get(public).status_code == 404
    assert "2026年度" not in client.get(reverse("evaluations:appraisal-public-list")).content.decode()
    appraisal_publish(actor=cast.county_leader, appraisal_id=scored.pk)
    response = client.get(public)
    assert response.status_code == 200
    page = response.content.decode()
    assert "县教育局" in page and "90.00" in page
    # The public sees no unit's report.
    assert reverse("evaluations:appraisal-unit-report", args=[scored.pk, scored.appraised_units.first().pk]) not in page
    assert "2026年度民主评议政风行风" in client.get(reverse("evaluations:appraisal-public-list")).content.decode()


# --- API ---------------------------------------------------------------------------


def test_the_api_lists_the_appraisals_in_scope(client, cast, scored):
    client.force_login(cast.county_officer)
    body = client.get("/api/v1/appraisals/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["state"], row["year"], row["organiser"]["name"]) == (scored.pk, "scored", 2026, "测试县")
    client.force_login(cast.bureau_officer)
    assert client.get("/api/v1/appraisals/").json()["count"] == 0
    assert client.get("/api/v1/appraisals/?year=abc").status_code == 400
    assert client.get("/api/v1/appraisals/?state=nonsense").status_code == 400


def test_the_api_results_give_unit_score_rank_grade_and_parts(client, cast, scored):
    client.force_login(cast.county_officer)
    response = client.get(f"/api/v1/appraisals/{scored.pk}/results/")
    assert response.status_code == 200
    by_name = {row["unit"]["name"]: row for row in response.json()}
    first, second, school = by_name["县教育局"], by_name["县卫生健康局"], by_name["县第一中学"]
    assert first["unit"]["name"] == "县教育局"
    assert (first["score"], first["rank"], first["grade"], first["to_rectify"]) == (
        "90.00",
        1,
        "satisfied",
        False,
    )
    assert first["parts"]["supervisor"]["figures"] == {"responses": 1}
    assert first["parts"]["supervisor"]["effective_weight"] == "100.00"
    assert second["to_rectify"] is True
    assert (school["score"], school["rank"], school["grade"]) == (None, None, "")


def test_the_api_results_are_not_found_out_of_scope_or_unpublished_for_the_public(client, cast, scored):
    url = f"/api/v1/appraisals/{scored.pk}/results/"
    assert client.get(url).status_code == 404
    client.force_login(cast.bureau_officer)
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/appraisals/999999/results/").status_code == 404
    client.logout()
    appraisal_publish(actor=cast.county_leader, appraisal_id=scored.pk)
    response = client.get(url)
    assert response.status_code == 200 and len(response.json()) == 3


def test_the_api_results_read_the_units_in_a_constant_number_of_queries(
    client, cast, scored, django_assert_max_num_queries
):
    client.force_login(cast.county_officer)
    url = f"/api/v1/appraisals/{scored.pk}/results/"
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    more = [unit_add(parent=cast.units.county, name=f"县第{i}局") for i in range(5)]
    AppraisedUnit.objects.bulk_create(AppraisedUnit(appraisal=scored, unit=unit) for unit in more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()) == 8


def test_the_api_schema_describes_the_appraisal_endpoints(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/v1/appraisals/" in paths and "/api/v1/appraisals/{id}/results/" in paths


# --- Wrong, missing, oversized and hostile input ---------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/appraisals/99999999999999999999/results/",
        "/api/v1/appraisals/0/results/",
        "/api/v1/appraisals/abc/results/",
        "/api/v1/appraisals/1%27%20OR%201=1/results/",
    ],
)
def test_results_of_an_id_that_is_no_appraisal_are_not_found_as_json(client, cast, scored, path):
    client.force_login(cast.county_officer)
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "99999999999999999999"}, "year"),
        ({"year": "1999"}, "year"),
        ({"year": "二〇二六"}, "year"),
        ({"state": "published' OR '1'='1"}, "state"),
        ({"state": "x" * 5000}, "state"),
    ],
)
def test_the_appraisal_list_refuses_bad_filters_by_name(client, cast, scored, query, field):
    client.force_login(cast.county_officer)
    response = client.get("/api/v1/appraisals/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_api_list_is_for_staff_only(client, scored):
    assert client.get("/api/v1/appraisals/").status_code in (401, 403)


def test_a_unit_of_another_appraisal_or_no_unit_is_not_found_in_a_report(client, cast, scored, questionnaire):
    other = appraisal_create(
        actor=cast.county_officer,
        organiser=cast.units.county,
        questionnaire=questionnaire,
        name="另一次评议",
        year=2026,
        opens_at=scored.opens_at,
        closes_at=scored.closes_at,
        period_start=scored.period_start,
        period_end=scored.period_end,
    )
    (elsewhere,) = appraisal_units_add(actor=cast.county_officer, appraisal_id=other.pk, units=[cast.units.school])
    client.force_login(cast.county_officer)
    for unit_id in (elsewhere.pk, 2**62):
        url = reverse("evaluations:appraisal-unit-report", args=[scored.pk, unit_id])
        assert client.get(url).status_code == 404


def test_pages_of_an_appraisal_that_does_not_exist_are_not_found(client, cast):
    client.force_login(cast.county_leader)
    for name in ("appraisal-results", "appraisal-results-xlsx", "appraisal-public"):
        assert client.get(reverse(f"evaluations:{name}", args=[2**62])).status_code == 404
    for name in ("score", "publish"):
        assert client.post(reverse("evaluations:appraisal-transition", args=[2**62, name])).status_code == 404


def test_scoring_and_publishing_ignore_anything_posted_with_them(client, cast, scored):
    client.force_login(cast.county_leader)
    response = client.post(
        reverse("evaluations:appraisal-transition", args=[scored.pk, "publish"]),
        {"state": "draft", "rectify_bottom": "99", "appraisal_id": "1 OR 1=1", "x": "<script>alert(1)</script>" * 500},
    )
    assert response.status_code == 302
    scored.refresh_from_db()
    assert (scored.state, scored.rectify_bottom) == (AppraisalState.PUBLISHED, 1)
    assert RectificationItem.objects.count() == 1


def test_unit_names_and_comments_are_escaped_on_the_pages(client, cast, scored, appraised):
    Response.objects.create(
        appraisal=scored, appraised_unit=appraised.bureau, group=SERVICE_USER, score=50, comment="<script>x()</script>"
    )
    client.force_login(cast.county_officer)
    page = client.get(
        reverse("evaluations:appraisal-unit-report", args=[scored.pk, appraised.bureau.pk])
    ).content.decode()
    assert "<script>x()</script>" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page


def test_the_report_names_nobody_who_answered(client, cast, scored, appraised):
    """Comments and averages come from responses that keep no link to their code or its holder."""
    from evaluations.models import Invitation
    from jiufeng.roles import Role
    from tests.factories import UserFactory

    supervisor = UserFactory(username="supervisor-wang", display_name="王监督员", roles=[Role.EVALUATOR])
    invitation = Invitation.objects.create(
        appraisal=scored,
        appraised_unit=appraised.bureau,
        group=SUPERVISOR,
        code="ABCDEFGHJK",
        issued_to=supervisor,
        created_by=cast.county_officer,
    )
    response = Response.objects.create(
        appraisal=scored, appraised_unit=appraised.bureau, group=SUPERVISOR, score=90, comment="办事拖拉"
    )
    client.force_login(cast.county_officer)
    page = client.get(
        reverse("evaluations:appraisal-unit-report", args=[scored.pk, appraised.bureau.pk])
    ).content.decode()
    assert "办事拖拉" in page
    for trace in ("王监督员", "supervisor-wang", invitation.code, str(response.pk)):
        assert trace not in page
