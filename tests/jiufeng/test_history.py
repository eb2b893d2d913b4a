"""Every model's history: recorded as simple-history records it, through a manager class built once."""

import pytest
from django.apps import apps

from jiufeng.models import User

HISTORY_MODELS = [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]


def test_every_tracked_model_declares_history_with_the_project_class():
    # A model declared with simple_history's own HistoricalRecords would build a manager
    # class on every access again (about a millisecond each, several per request).
    assert len(HISTORY_MODELS) > 30
    slow = [m.__name__ for m in HISTORY_MODELS if type(m.history) is not type(m.history)]
    assert slow == []


@pytest.mark.django_db
def test_history_is_recorded_and_read_through_the_cached_manager():
    user = User.objects.create_user(username="probe", first_name="探针")
    user.first_name = "探针二"
    user.save()
    assert [h.first_name for h in user.history.order_by("history_id")] == ["探针", "探针二"]
    kinds = User.history.filter(username="probe").order_by("history_id").values_list("history_type", flat=True)
    assert list(kinds) == ["+", "~"]


def test_history_tables_index_only_what_history_is_read_by():
    # History is read by object and date: an index on a copied foreign key or unique column
    # (simple-history adds them) would only slow every write into tables of millions of rows.
    extra = {
        f"{m.history.model.__name__}.{f.name}"
        for m in HISTORY_MODELS
        for f in m.history.model._meta.concrete_fields
        if f.db_index and f.name not in {m._meta.pk.attname, "history_date", "history_user"}
    }
    assert extra == set()
