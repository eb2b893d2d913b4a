"""Fill the history search index (audit.models.HistoryEntry) as the sealer does, from the real
history rows: the sealer is built apart, and these tests read only what it writes."""

from audit.diffs import row_changes, rows_with_previous, tracked_models
from audit.models import HistoryEntry, HistoryFieldChange


def history_index() -> int:
    """Index every history row not yet indexed; answers how many were added."""
    added = 0
    for model in tracked_models():
        label = model._meta.label_lower
        indexed = HistoryEntry.objects.filter(model=label).values("history_id")
        ids = model.history.exclude(history_id__in=indexed).values_list("history_id", flat=True)
        rows = rows_with_previous(model, model.history.filter(history_id__in=list(ids)))
        changes = row_changes(rows)
        for row in sorted(rows, key=lambda row: row.history_id):
            history_id = row.history_id
            fields = [change.field for change in changes[(label, history_id)]]
            entry = HistoryEntry.objects.create(
                model=label,
                object_id=getattr(row, model._meta.pk.attname),
                history_id=history_id,
                at=row.history_date,
                user_id=row.history_user_id,
                action=row.history_type,
                reason=row.history_change_reason or "",
                fields=" ".join(fields),
            )
            HistoryFieldChange.objects.bulk_create(
                HistoryFieldChange(
                    entry=entry, model=label, field=field, at=row.history_date, user_id=row.history_user_id
                )
                for field in fields
            )
            added += 1
    return added
