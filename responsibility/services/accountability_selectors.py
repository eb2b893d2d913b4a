"""Reads for accountability pages and API, scoped to the user."""

from django.db.models import Prefetch, QuerySet

from ..models import AccountabilityDocument, AccountabilityRecord, Deadline, Unit


def accountability_list_for_user(*, user, state: str = "", measure: str = "", unit: Unit | None = None) -> QuerySet:
    """Records whose unit is in the user's scope, newest first, optionally filtered."""
    records = AccountabilityRecord.objects.visible_to(user).select_related(
        "user", "unit", "position", "proposed_by", "decided_by"
    )
    if state:
        records = records.filter(state=state)
    if measure:
        records = records.filter(measure=measure)
    if unit is not None:
        records = records.filter(unit=unit)
    return records.order_by("-proposed_at", "-pk")


def accountability_get_for_user(*, user, pk: int) -> AccountabilityRecord:
    """One record in scope with its obligations and current documents; DoesNotExist otherwise."""
    return accountability_with_details(accountability_list_for_user(user=user)).get(pk=pk)


def accountability_with_details(records: QuerySet) -> QuerySet:
    """Prefetch what the API shows of each record, in a fixed number of queries."""
    return records.prefetch_related(
        Prefetch("obligations", queryset=_obligations()),
        Prefetch("documents", queryset=_documents()),
    )


def accountability_document_get_for_user(*, user, record_pk: int, pk: int) -> AccountabilityDocument:
    """A current document of a record in scope; DoesNotExist otherwise."""
    return AccountabilityDocument.objects.visible_to(user).current().get(record_id=record_pk, pk=pk)


def _obligations():
    return Deadline.objects.select_related("unit", "content_type").order_by("due_at")


def _documents():
    return AccountabilityDocument.objects.current().select_related("uploaded_by").order_by("uploaded_at", "pk")
