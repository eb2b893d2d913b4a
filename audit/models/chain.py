"""Hash-chained, append-only rows: every history table and every log table.

A row is written without its link; the sealer (audit.chain) later gives each unsealed row of a
table, in the order it finds them, the next number of that table's chain (``chain_seq``) and
``chain_hash`` = SHA-256 over the previous row's hash and this row's values. Sealing after
commit keeps writers from queueing on one lock per table; ``verify_history`` recomputes the
chains and names the first row whose hash no longer matches or whose number is missing.
"""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk changes: history and logs are corrected by new rows, never rewritten."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows are append-only.")


def unsealed_index(*, table: str, pk: str = "id") -> models.Index:
    """The index the sealer reads a table's unsealed rows by, in primary-key order.

    Partial: it holds only the rows not yet sealed (about a minute's worth), so it costs a
    write little and spares the sealer a walk past every sealed row. ``table``: the model's
    label, named into the index by a digest (index names are 30 characters at most).
    """
    name = f"unsealed_{hashlib.sha256(table.encode()).hexdigest()[:12]}"
    return models.Index(fields=[pk], condition=models.Q(chain_seq__isnull=True), name=name)


class Chained(models.Model):
    """The two columns of a table's hash chain, and the append-only rule on the row itself."""

    # Null until sealed. Unique: verification walks a table's chain in this order.
    chain_seq = models.BigIntegerField(_("chain number"), null=True, blank=True, unique=True, editable=False)
    # Blank in the database too: a set-based INSERT (bench data, a bulk load) names neither column.
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, db_default="", editable=False)

    # The sealer writes the two columns above through _base_manager, the one way past this.
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} rows are append-only.")


class ChainHead(models.Model):
    """Where each table's chain ends, and how far the last verification got.

    ``table`` is the model's label (``complaints.HistoricalComplaint``). The sealer locks this
    row while it extends the chain, so two sealers never give out the same number.
    """

    table = models.CharField(_("table"), max_length=100, primary_key=True)
    seq = models.BigIntegerField(_("last number"), default=0)
    hash = models.CharField(_("last hash"), max_length=64, blank=True)
    verified_seq = models.BigIntegerField(_("verified up to"), default=0)
    verified_hash = models.CharField(_("hash at the verified number"), max_length=64, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # The break administrators were last alerted of (blank: none, or the chain holds again):
    # the nightly check alerts once per break, not every night.
    alerted = models.CharField(_("break alerted"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain heads")

    def __str__(self) -> str:
        return f"{self.table} #{self.seq}"
