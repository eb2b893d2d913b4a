"""Each transition is declared once (complaints.workflow) and that one declaration drives the
services' checks, the case page, the API and the list of what a user may do now."""

import inspect
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from complaints import services
from complaints import transitions as t
from complaints.api.serializers import ComplaintTransitionSerializer
from complaints.forms.staff import CaseForm
from complaints.models import Complaint, TransitionLog
from complaints.selectors import available_transitions
from complaints.workflow import EVENTS, STAFF_TRANSITIONS, TRANSITIONS, Situation

from .conftest import DECISION
from .test_api_staff import api, url
from .test_pages_staff_helpers import as_user, measures

pytestmark = pytest.mark.django_db

STAFF_NAMES = [transition.name for transition in STAFF_TRANSITIONS]


# --- The declarations themselves --------------------------------------------------------


@pytest.mark.parametrize("transition", STAFF_TRANSITIONS, ids=STAFF_NAMES)
def test_each_staff_transition_names_its_service_form_and_input(transition):
    service = transition.service
    assert service.__name__ == f"complaint_{transition.name}"
    assert hasattr(Complaint, transition.name)
    taken = inspect.signature(service).parameters
    assert {"complaint_id", "actor", "version"} <= set(taken)
    assert issubclass(transition.form, CaseForm)
    assert transition.form.prefix_name == transition.name
    assert issubclass(transition.input, ComplaintTransitionSerializer)
    # What the serializer gives is what the service takes, by keyword.
    given = {field.source for name, field in transition.input().fields.items() if name != "version"}
    assert given <= set(taken)


def test_every_log_name_has_its_words_and_only_declared_names_are_staff_transitions():
    assert set(EVENTS) == {"file", "review", *STAFF_NAMES}
    assert set(TRANSITIONS) - set(STAFF_NAMES) == {"review"}
    assert all(event.label for event in EVENTS.values())
    # What the petitioner never sees: the deciding unit's internal steps (a review decision
    # reaches them when approved).
    assert {name for name, event in EVENTS.items() if event.public is None} == {
        "submit_for_approval",
        "decide_review",
        "send_back",
        "refuse_extension",
    }


def test_reads_never_import_the_services_forms_or_serializers():
    # The selectors read the declarations (complaints.workflow), which name the upper layers by path.
    code = (
        "import sys, django; django.setup(); import complaints.selectors; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('complaints'))))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiufeng.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=django_settings.BASE_DIR, check=True
    )
    loaded = set(done.stdout.split())
    assert {"complaints.selectors", "complaints.workflow", "complaints.guards"} <= loaded
    assert not loaded & {"complaints.transitions", "complaints.services", "complaints.forms.staff", "complaints.api"}


# --- One declaration, three readers: the list, the page, the API ------------------------

USERS = ["county_officer", "bureau_officer", "bureau_leader", "auditor"]
STAGES = [
    "submitted",
    "accepted",
    "investigating",
    "extension_asked",
    "pending",
    "resolved",
    "resolved_past_window",
    "under_review",
]


@pytest.fixture
def primary(cast, file_complaint):
    # An open case to merge into.
    complaint, _code = file_complaint(subject_unit=cast.units.school, title="先到的投诉")
    return complaint


@pytest.fixture(params=STAGES)
def stage(request) -> str:
    return request.param


@pytest.fixture
def staged(stage, cast, settings, submitted, primary):
    """The school's case at each stage, moved there through the services."""
    complaint = submitted
    pk = complaint.pk
    order = STAGES.index(stage)
    if order >= STAGES.index("accepted"):
        t.complaint_accept(complaint_id=pk, actor=cast.county_officer)
    if order >= STAGES.index("investigating"):
        t.complaint_start_investigation(complaint_id=pk, actor=cast.bureau_officer)
    if stage == "extension_asked":
        services.extension_request(complaint_id=pk, actor=cast.bureau_officer, days=10, reason="需外调")
    if order >= STAGES.index("pending"):
        t.complaint_submit_for_approval(complaint_id=pk, actor=cast.bureau_officer, **DECISION)
    if order >= STAGES.index("resolved"):
        t.complaint_approve(complaint_id=pk, actor=cast.bureau_leader)
    if stage == "resolved_past_window":
        settings.JIUFENG_COMPLAINT_REVIEW_WINDOW_DAYS = 0
    if stage == "under_review":
        t.complaint_review(complaint_id=pk, reason="不满意")
    return Complaint.objects.get(pk=pk)


def _valid_input(cast, primary) -> dict[str, dict]:
    """Input each transition accepts, so that a refusal can only be about who or when."""
    return {
        "accept": {"handling_unit": cast.units.bureau.pk, "note": "受理"},
        "reject": {"reason": "不属于纠风范围"},
        "transfer": {"to": "县人民法院", "reason": "属诉讼事项"},
        "merge": {"primary": primary.pk},
        "start_investigation": {},
        "submit_for_approval": dict(DECISION),
        "approve": {"note": "同意"},
        "send_back": {"reason": "证据不足"},
        "approve_extension": {"note": "同意"},
        "refuse_extension": {"note": "理由不足"},
        "decide_review": dict(DECISION),
        "close": {},
    }


def _page_post(client, complaint, name: str, fields: dict):
    data = {f"{name}-{key}": value for key, value in fields.items()}
    data[f"{name}-version"] = complaint.version
    if name in ("submit_for_approval", "decide_review"):
        data.update(measures(name, []))
    return client.post(reverse("complaints:case-transition", args=[complaint.pk, name]), data)


def _unchanged(complaint) -> bool:
    now = Complaint.objects.get(pk=complaint.pk)
    return (now.status, now.version) == (complaint.status, complaint.version)


@pytest.mark.parametrize("who", USERS)
def test_the_list_the_page_and_the_api_offer_the_same_and_refuse_the_rest(client, cast, staged, primary, who):
    user = getattr(cast, who)
    offered = available_transitions(user=user, complaint=staged)
    assert (
        available_transitions(user=user, complaint=staged, extension_requests=list(staged.extension_requests.all()))
        == offered
    )
    assert offered == [name for name in STAFF_NAMES if name in offered]

    page = as_user(client, user).get(reverse("complaints:case-detail", args=[staged.pk])).content.decode()
    assert re.findall(r'data-testid="action-(\w+)"', page) == offered
    assert api(user).get(url(staged)).json()["available_transitions"] == offered

    # What is offered, the service's own check (under its lock, the same declaration) allows.
    for name in offered:
        assert TRANSITIONS[name].refusal(Situation(staged), user) is None, name
    # What is not offered is refused, on the page and through the API, with valid input.
    refused = [name for name in STAFF_NAMES if name not in offered]
    assert refused
    inputs = _valid_input(cast, primary)
    for name in refused:
        answered = api(user).post(url(staged, "transitions", name), inputs[name], format="json")
        assert answered.status_code in (403, 409), (name, answered.status_code, answered.content)
        assert _page_post(client, staged, name, inputs[name]).status_code in (403, 409), name
    assert _unchanged(staged)


# What someone of the cast may do at each stage, written out as the outside sees it.
EXPECTED_BY_STAGE = {
    "submitted": ["accept", "reject", "transfer", "merge"],
    "accepted": ["start_investigation"],
    "investigating": ["submit_for_approval"],
    "extension_asked": ["submit_for_approval", "approve_extension", "refuse_extension"],
    "pending": ["approve", "send_back"],
    "resolved": [],
    "resolved_past_window": ["close"],
    "under_review": ["decide_review"],
}


def test_the_stages_above_reach_every_staff_transition():
    assert {name for names in EXPECTED_BY_STAGE.values() for name in names} == set(STAFF_NAMES)


def test_what_is_offered_at_each_stage_to_someone(cast, stage, staged):
    offered = set()
    for who in USERS:
        offered |= set(available_transitions(user=getattr(cast, who), complaint=staged))
    assert offered == set(EXPECTED_BY_STAGE[stage])


# --- Input: validated once, by the declared serializer or form; the service takes it typed ----


@pytest.fixture
def spy(monkeypatch):
    """Count the calls of a service that the declarations name (they look it up when used)."""

    def watch(name: str) -> list:
        calls = []
        real = getattr(t, name)

        def counted(**kwargs):
            calls.append(kwargs)
            return real(**kwargs)

        monkeypatch.setattr(t, name, counted)
        return calls

    return watch


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("reject", {"reason": ""}, "reason"),
        ("transfer", {"reason": "属司法事项"}, "to"),
        ("merge", {"primary": "abc"}, "primary"),
        ("accept", {"handling_unit": 999999}, "handling_unit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_never_reaches_the_service(cast, submitted, spy, name, data, field):
    calls = spy(f"complaint_{name}")
    response = api(cast.county_officer).post(url(submitted, "transitions", name), data, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert calls == []
    assert _unchanged(submitted)


def test_bad_input_on_the_page_never_reaches_the_service(client, cast, submitted, spy):
    calls = spy("complaint_reject")
    response = _page_post(as_user(client, cast.county_officer), submitted, "reject", {"reason": " "})
    assert response.status_code == 400
    assert calls == []


def test_the_service_takes_the_typed_values_once_and_its_refusal_names_the_field(cast, submitted, primary, spy):
    accepts, merges = spy("complaint_accept"), spy("complaint_merge")
    response = api(cast.county_officer).post(
        url(submitted, "transitions", "accept"), {"handling_unit": cast.units.school.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["handling_unit"]
    [call] = accepts
    # A unit, not its id: nothing between the serializer and the service parses it again.
    assert call["handling_unit"] == cast.units.school and call["note"] == ""

    response = api(cast.county_officer).post(
        url(submitted, "transitions", "merge"), {"primary": primary.pk}, format="json"
    )
    assert response.status_code == 200
    assert merges == [
        {"complaint_id": submitted.pk, "actor": cast.county_officer, "version": None, "primary_id": primary.pk}
    ]


def test_who_may_not_fire_it_is_refused_before_the_input_is_read(client, cast, submitted, spy):
    calls = spy("complaint_accept")
    response = api(cast.auditor).post(url(submitted, "transitions", "accept"), {"handling_unit": "x"}, format="json")
    assert response.status_code == 403
    response = _page_post(as_user(client, cast.auditor), submitted, "accept", {"handling_unit": "x"})
    assert response.status_code == 403
    assert calls == []
    assert not TransitionLog.objects.filter(complaint=submitted, name="accept").exists()
