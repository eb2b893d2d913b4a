"""The transitions of pledges, rectification items, accountability records and campaigns, each declared once.

Each declaration (jiufeng.workflow.Transition) says who may make the transition, the
words of a refusal, the service that makes it and the form and serializer that read its
input. The services check it under their row lock before they fire the FSM method; the
pages show only what it allows and read the input with the declared form; the API reads
it with the declared serializer and calls the declared service. Permissions are the
predicates of responsibility.permissions, read on the object itself.
"""

from django.utils.translation import gettext as _

from jiufeng.workflow import Transition

from . import permissions
from .models import Unit

# --- Rectification items (整改事项): the responsible unit submits, the unit above confirms or sends back ---


def _may_submit_item(user, item) -> bool:
    return permissions.can_submit_rectification_item(user, item)


def _may_confirm_item(user, item) -> bool:
    # The parent is read once per item object (treebeard keeps it on the unit).
    return permissions.can_confirm_rectification_item(user, item, parent=Unit.objects.get_parent(item.responsible_unit))


def _item_refused(item) -> str:
    return _("This item is “%(status)s”: that cannot be done now.") % {"status": item.get_status_display()}


def _item(name: str, **declared) -> Transition:
    return Transition(
        name=name,
        service_path=f"responsibility.services.visits.rectification_item_{name}",
        state_refusal=_item_refused,
        **declared,
    )


RECTIFICATION_ITEM_TRANSITIONS: dict[str, Transition] = {
    "submit": _item(
        "submit",
        permission=_may_submit_item,
        form_path="responsibility.forms.visits.RectificationItemSubmitForm",
        input_path="responsibility.api.visits.EvidenceSerializer",
    ),
    "confirm": _item("confirm", permission=_may_confirm_item),
    "send_back": _item(
        "send_back",
        permission=_may_confirm_item,
        form_path="responsibility.forms.visits.RectificationItemSendBackForm",
        input_path="responsibility.api.visits.ReasonSerializer",
    ),
}


# --- Pledges (责任书): the issuing unit issues, amends and assesses; the pledging unit's principal signs ---


def _may_issue_pledge(user, pledge) -> bool:
    return permissions.can_issue_pledge(user, pledge)


def _may_sign_pledge(user, pledge) -> bool:
    return permissions.can_sign_pledge(user, pledge)


def _pledge_refused(pledge) -> str:
    return _("This pledge is “%(state)s”: that cannot be done now.") % {"state": pledge.get_state_display()}


def _only_the_principal(pledge) -> str:
    return _("Only the principal of %(unit)s may sign this pledge.") % {"unit": pledge.unit}


def _pledge(name: str, **declared) -> Transition:
    return Transition(
        name=name,
        service_path=f"responsibility.services.pledges.pledge_{name}",
        state_refusal=_pledge_refused,
        **declared,
    )


PLEDGE_TRANSITIONS: dict[str, Transition] = {
    "issue": _pledge("issue", permission=_may_issue_pledge),
    "sign": _pledge(
        "sign",
        permission=_may_sign_pledge,
        denied=_only_the_principal,
        form_path="responsibility.forms.pledges.PledgeSignForm",
    ),
    "amend": _pledge("amend", permission=_may_issue_pledge, form_path="responsibility.forms.pledges.PledgeAmendForm"),
    "assess": _pledge(
        "assess", permission=_may_issue_pledge, form_path="responsibility.forms.pledges.PledgeAssessForm"
    ),
}


# --- Accountability (问责): a leader of the level above decides or dismisses a proposal ---------------


def _may_decide_accountability(user, record) -> bool:
    return permissions.can_decide_accountability(user, record)


def _record_refused(record) -> str:
    return _("This record has already been decided or dismissed.")


def _accountability(name: str, form: str) -> Transition:
    return Transition(
        name=name,
        service_path=f"responsibility.services.accountability.accountability_{name}",
        permission=_may_decide_accountability,
        state_refusal=_record_refused,
        form_path=f"responsibility.forms.accountability.{form}",
    )


ACCOUNTABILITY_TRANSITIONS: dict[str, Transition] = {
    "decide": _accountability("decide", "AccountabilityDecideForm"),
    "dismiss": _accountability("dismiss", "AccountabilityDismissForm"),
}


# --- Rectification campaigns (专项治理): a leader of the lead unit starts and closes them ----------------


def _may_run_campaign(user, campaign) -> bool:
    return permissions.can_run_campaign(user, campaign.lead_unit)


def _only_a_draft(campaign) -> str:
    return _("Only a draft campaign can be started.")


def _already_closed(campaign) -> str:
    return _("This campaign is already closed.")


CAMPAIGN_TRANSITIONS: dict[str, Transition] = {
    name: Transition(
        name=name,
        service_path=f"responsibility.services.campaigns.campaign_{name}",
        permission=_may_run_campaign,
        state_refusal=refusal,
    )
    for name, refusal in (("start", _only_a_draft), ("close", _already_closed))
}
