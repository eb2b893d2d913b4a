"""Every model of ours keeps its history, or says here why it does not."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from jiufeng.models import User
from jiufeng.roles import Role

OUR_APPS = {"jiufeng", "responsibility", "complaints", "evaluations", "audit", "demo"}

# Concrete models of our apps without simple-history, and why.
WITHOUT_HISTORY = {
    # Logs that are themselves the record: append-only and hash-chained, every row a fact.
    "complaints.TransitionLog",
    "complaints.IdentityAccess",
    "audit.AuditEvent",
    # The chains' heads and the search index: derived from the history tables, rebuilt if lost.
    "audit.ChainHead",
    "audit.HistoryEntry",
    "audit.HistoryFieldChange",
    # Appraisal responses: anonymous by construction (evaluations.models.responses); a history
    # row would name the request's user and time. Never changed after submission.
    "evaluations.Response",
    "evaluations.Answer",
    # The last case number of a year: each filing's number is in its complaint's history.
    "complaints.CaseNumberCounter",
    # The dashboard's tallies: counts of the cases, rebuilt from them every ten minutes (the
    # cases open now every minute).
    "complaints.CaseTally",
    "complaints.CaseTallyCount",
    "complaints.CaseTallyRollup",
    "complaints.CaseTallyRun",
    "complaints.OpenCaseTally",
    # A big ledger's file being written (audit.export_jobs): the export itself is an AuditEvent.
    "audit.ExportJob",
}


def _history_tables():
    """simple-history's own models: a model's history, and the links of its tracked many-to-many fields."""
    return {model for model in apps.get_models() if hasattr(model, "instance_type") or hasattr(model, "history_object")}


def test_every_model_of_ours_has_history_or_a_reason_not_to():
    history_tables = _history_tables()
    missing = {
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        and model not in history_tables
        and not hasattr(model._meta, "simple_history_manager_attribute")
    }
    assert missing == WITHOUT_HISTORY


def test_a_users_roles_and_direct_permissions_are_in_their_history():
    tracked = {field.name for field in User.history.model._history_m2m_fields}
    assert tracked == {"groups", "user_permissions"}
    # Groups' own permissions are code (jiufeng.roles), put back after every migrate: no history.
    assert not hasattr(Group._meta, "simple_history_manager_attribute")


@pytest.mark.django_db
def test_roles_changed_from_the_groups_side_are_in_each_users_history(cast):
    leaders = Group.objects.get(name=Role.LEADER)
    officer = cast.county_officer
    leaders.user_set.add(officer)
    assert set(_newest(officer).groups.values_list("group__name", flat=True)) == {Role.OFFICER, Role.LEADER}
    leaders.user_set.remove(officer)
    assert set(_newest(officer).groups.values_list("group__name", flat=True)) == {Role.OFFICER}
    before = User.history.filter(id=cast.county_leader.pk).count()
    leaders.user_set.clear()
    assert User.history.filter(id=cast.county_leader.pk).count() == before + 1
    assert not _newest(cast.county_leader).groups.exists()


def _newest(user):
    return User.history.filter(id=user.pk).order_by("-history_id").first()
