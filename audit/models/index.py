"""One row per history row of every tracked model, so auditors search all history at once.

Written by the sealer as it seals each history row (audit.chain), never by a request: it is
derived data, rebuilt from the history tables if lost; the history tables stay the record.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _user() -> models.ForeignKey:
    # Without a constraint: the index is derived data and never stands in the way of an account.
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )


class HistoryEntry(models.Model):
    # The tracked model's label, lower case: "complaints.complaint".
    model = models.CharField(_("object type"), max_length=100)
    object_id = models.BigIntegerField(_("object"))
    # The row of the model's history table this entry stands for.
    history_id = models.BigIntegerField(_("history row"))
    at = models.DateTimeField(_("at"))
    # Null: nobody signed in (a petitioner). Tasks and commands are the system user, named in
    # ``reason`` (audit.actors).
    user = _user()
    # simple-history's type: "+" created, "~" changed, "-" deleted.
    action = models.CharField(_("action"), max_length=1)
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    # The fields this row changed against the object's previous row, space-separated.
    fields = models.CharField(_("fields changed"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        constraints = [models.UniqueConstraint(fields=["model", "history_id"], name="historyentry_row")]
        indexes = [
            models.Index(fields=["-at"], name="historyentry_at"),
            models.Index(fields=["user", "-at"], name="historyentry_user_at"),
            models.Index(fields=["model", "object_id", "-at"], name="historyentry_object_at"),
            models.Index(fields=["model", "-at"], name="historyentry_model_at"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class HistoryFieldChange(models.Model):
    """One changed field of a history entry: the search by field changed reads these."""

    entry = models.ForeignKey(HistoryEntry, on_delete=models.CASCADE, related_name="changes", db_index=False)
    model = models.CharField(_("object type"), max_length=100)
    field = models.CharField(_("field"), max_length=100)
    # The entry's time and user, copied: a search by field within dates, or by field and
    # user, is then one range of an index here instead of a walk over the field's changes
    # probing each entry (by field and user: p95 767 ms at 8.6 M changes).
    at = models.DateTimeField(_("at"))
    user = _user()

    class Meta:
        verbose_name = _("field change")
        verbose_name_plural = _("field changes")
        indexes = [
            models.Index(fields=["model", "field", "-at"], name="historyfieldchange_field_at"),
            models.Index(fields=["model", "field", "user", "-at"], name="historyfieldchange_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.model}.{self.field}"
