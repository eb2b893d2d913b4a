"""Responsibility's transitions are declared once (responsibility.workflow): the services, the
pages and the API read the same permission, state and input."""

import datetime
import inspect

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from jiufeng.roles import Role
from responsibility.models import (
    AccountabilityRecord,
    AccountabilityState,
    Campaign,
    CampaignState,
    Pledge,
    PledgeState,
    PositionKind,
    RectificationItem,
    RectificationStatus,
)
from responsibility.services import visits as services
from responsibility.services.accountability import accountability_dismiss, accountability_propose
from responsibility.services.campaigns import campaign_close, campaign_create
from responsibility.workflow import (
    ACCOUNTABILITY_TRANSITIONS,
    CAMPAIGN_TRANSITIONS,
    PLEDGE_TRANSITIONS,
    RECTIFICATION_ITEM_TRANSITIONS,
)
from tests.factories import PositionFactory, UserFactory

from .pledge_helpers import draft, issued, signed
from .test_visits_api import api
from .visit_fixtures import item_for, made_visit

pytestmark = pytest.mark.django_db

DECLARED = [
    (RectificationItem, RECTIFICATION_ITEM_TRANSITIONS),
    (Pledge, PLEDGE_TRANSITIONS),
    (AccountabilityRecord, ACCOUNTABILITY_TRANSITIONS),
    (Campaign, CAMPAIGN_TRANSITIONS),
]


@pytest.mark.parametrize(
    ("model", "name"), [(model, name) for model, declared in DECLARED for name in declared], ids=str
)
def test_each_declaration_names_an_fsm_method_a_service_and_its_inputs(model, name):
    transition = dict(DECLARED)[model][name]
    assert transition.name == name and callable(getattr(model, name))
    taken = set(inspect.signature(transition.service).parameters)
    assert "actor" in taken
    if transition.form_path is not None:
        assert issubclass(transition.form, forms.BaseForm)
    if transition.input_path is not None:
        assert issubclass(transition.input, serializers.Serializer)
        # What the serializer gives is what the service takes, by keyword.
        assert set(transition.input().fields) <= taken


# --- Rectification items: the page and the API offer and refuse alike --------------------------------


@pytest.fixture
def school_officer(cast):
    user = UserFactory(username="school-officer", roles=[Role.OFFICER])
    PositionFactory(user=user, unit=cast.units.school, kind=PositionKind.LIAISON)
    return user


ITEM_INPUT = {"submit": {"evidence": "已清退全部资料费"}, "confirm": {}, "send_back": {"reason": "缺少清退台账"}}
ITEM_URL = {"submit": "submit", "confirm": "confirm", "send_back": "send-back"}


@pytest.mark.parametrize("status", [RectificationStatus.OPEN, RectificationStatus.SUBMITTED])
@pytest.mark.parametrize("who", ["school_officer", "bureau_leader", "bureau_officer", "auditor"])
def test_an_item_page_offers_what_the_declarations_allow_and_both_doors_refuse_the_rest(
    client, cast, school_officer, status, who
):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    if status == RectificationStatus.SUBMITTED:
        services.rectification_item_submit(actor=school_officer, item_id=item.pk, evidence="已整改")
    user = school_officer if who == "school_officer" else getattr(cast, who)
    item = RectificationItem.objects.select_related("responsible_unit").get(pk=item.pk)
    allowed = {name for name, transition in RECTIFICATION_ITEM_TRANSITIONS.items() if transition.allowed(user, item)}

    client.force_login(user)
    page = client.get(reverse("responsibility:rectification-item-detail", args=[item.pk])).content.decode()
    shown = {name for name in ITEM_URL if f"/rectification-items/{item.pk}/{ITEM_URL[name]}/" in page}
    assert shown == allowed

    refused = [name for name in RECTIFICATION_ITEM_TRANSITIONS if name not in allowed]
    assert refused
    for name in refused:
        path = f"/api/v1/rectification-items/{item.pk}/{ITEM_URL[name]}/"
        assert api(user).post(path, ITEM_INPUT[name], format="json").status_code in (403, 409), name
        url = reverse(f"responsibility:rectification-item-{ITEM_URL[name]}", args=[item.pk])
        # The page answers a refused state on the item page, as a message.
        assert client.post(url, ITEM_INPUT[name]).status_code in (302, 403), name
    assert RectificationItem.objects.get(pk=item.pk).status == status


def test_bad_item_input_is_a_400_naming_the_field_and_never_reaches_the_service(cast, school_officer, monkeypatch):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    calls = []
    monkeypatch.setattr(services, "rectification_item_submit", lambda **kwargs: calls.append(kwargs))
    response = api(school_officer).post(f"/api/v1/rectification-items/{item.pk}/submit/", {"evidence": ""})
    assert response.status_code == 400
    assert list(response.json()) == ["evidence"]
    assert calls == []


def test_who_may_not_submit_is_refused_before_the_input_is_read(cast, school_officer):
    item = item_for(made_visit(cast.bureau_leader, [cast.units.school]), cast.units.school)
    # Bad input from someone who may not submit at all: 403, not 400.
    assert api(cast.auditor).post(f"/api/v1/rectification-items/{item.pk}/submit/", {}).status_code == 403


# --- Pledges: the detail page's buttons are the declarations' answers -------------------------------


@pytest.mark.parametrize("stage", ["draft", "issued", "signed"])
@pytest.mark.parametrize("who", ["county_leader", "bureau_leader", "bureau_officer"])
def test_a_pledge_page_offers_what_the_declarations_allow_and_refuses_the_rest(client, cast, stage, who):
    pledge = {"draft": draft, "issued": issued, "signed": signed}[stage](cast)
    user = getattr(cast, who)
    allowed = {name for name, transition in PLEDGE_TRANSITIONS.items() if transition.allowed(user, pledge)}

    client.force_login(user)
    page = client.get(reverse("responsibility:pledge-detail", args=[pledge.pk])).content.decode()
    shown = {name for name in PLEDGE_TRANSITIONS if f"/pledges/{pledge.pk}/{name}/" in page}
    assert shown == allowed

    refused = [name for name in PLEDGE_TRANSITIONS if name not in allowed]
    assert refused
    for name in refused:
        transition = PLEDGE_TRANSITIONS[name]
        answer = client.post(reverse(f"responsibility:pledge-{name}", args=[pledge.pk]), {"confirm": "on"})
        if transition.permits(user, pledge):
            # Theirs to do, not now: the pledge page says why.
            assert answer.status_code in (302, 400), name
        else:
            assert answer.status_code == 403, name
    assert Pledge.objects.get(pk=pledge.pk).state == pledge.state


def test_what_the_cast_may_do_with_a_pledge_at_each_state(cast):
    pledge = issued(cast)
    assert PLEDGE_TRANSITIONS["sign"].allowed(cast.bureau_leader, pledge)
    assert not PLEDGE_TRANSITIONS["sign"].allowed(cast.county_leader, pledge)
    assert PLEDGE_TRANSITIONS["amend"].allowed(cast.county_leader, pledge)
    assert not PLEDGE_TRANSITIONS["assess"].allowed(cast.county_leader, pledge)
    assert pledge.state == PledgeState.ISSUED


# --- Accountability: decide and dismiss -------------------------------------------------------------


@pytest.fixture
def bureau_record(cast):
    position = cast.bureau_leader.positions.get()
    return accountability_propose(actor=cast.county_officer, position=position, reason="督办后仍逾期未整改")


@pytest.mark.parametrize("who", ["county_leader", "bureau_leader", "county_officer", "auditor"])
def test_a_record_page_offers_deciding_as_declared_and_refuses_the_rest(client, cast, bureau_record, who):
    user = getattr(cast, who)
    decide = ACCOUNTABILITY_TRANSITIONS["decide"]
    client.force_login(user)
    page = client.get(reverse("responsibility:accountability-detail", args=[bureau_record.pk])).content.decode()
    offered = f"/accountability/{bureau_record.pk}/decide/" in page
    assert offered == decide.allowed(user, bureau_record) == (who == "county_leader")
    if not offered:
        answer = client.post(
            reverse("responsibility:accountability-decide", args=[bureau_record.pk]), {"measure": "interview"}
        )
        assert answer.status_code == 403
    assert AccountabilityRecord.objects.get(pk=bureau_record.pk).state == AccountabilityState.PROPOSED


def test_a_dismissed_record_offers_nothing_and_deciding_it_is_a_conflict(client, cast, bureau_record):
    accountability_dismiss(record_id=bureau_record.pk, actor=cast.county_leader, reason="经核实不属实")
    record = AccountabilityRecord.objects.get(pk=bureau_record.pk)
    assert not any(t.allowed(cast.county_leader, record) for t in ACCOUNTABILITY_TRANSITIONS.values())
    client.force_login(cast.county_leader)
    answer = client.post(reverse("responsibility:accountability-decide", args=[record.pk]), {"measure": "interview"})
    assert answer.status_code == 409


# --- Campaigns: start and close ----------------------------------------------------------------------


@pytest.mark.parametrize("stage", [CampaignState.DRAFT, CampaignState.ACTIVE, CampaignState.CLOSED])
@pytest.mark.parametrize("who", ["county_leader", "county_officer"])
def test_a_campaign_page_offers_starting_and_closing_as_declared(client, cast, stage, who):
    campaign = campaign_create(
        actor=cast.county_leader,
        lead_unit=cast.units.county,
        name="教育乱收费专项治理",
        problem="违规收取资料费",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    if stage != CampaignState.DRAFT:
        CAMPAIGN_TRANSITIONS["start"].service(campaign_id=campaign.pk, actor=cast.county_leader)
    if stage == CampaignState.CLOSED:
        campaign_close(campaign_id=campaign.pk, actor=cast.county_leader)
    campaign = Campaign.objects.select_related("lead_unit").get(pk=campaign.pk)
    user = getattr(cast, who)
    allowed = {name for name, transition in CAMPAIGN_TRANSITIONS.items() if transition.allowed(user, campaign)}
    expected = {CampaignState.DRAFT: {"start", "close"}, CampaignState.ACTIVE: {"close"}}.get(stage, set())
    assert allowed == (expected if who == "county_leader" else set())

    client.force_login(user)
    page = client.get(reverse("responsibility:campaign-detail", args=[campaign.pk])).content.decode()
    assert {name for name in CAMPAIGN_TRANSITIONS if f"/campaigns/{campaign.pk}/{name}/" in page} == allowed
    for name in set(CAMPAIGN_TRANSITIONS) - allowed:
        answer = client.post(reverse(f"responsibility:campaign-{name}", args=[campaign.pk]))
        assert answer.status_code == (409 if CAMPAIGN_TRANSITIONS[name].permits(user, campaign) else 403), name
    assert Campaign.objects.get(pk=campaign.pk).state == stage
