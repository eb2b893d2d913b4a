"""Columns encrypted at rest: petitioners' identities, the addresses messages are sent to.

Each such column (``EncryptedCharField``; the live row and its history rows) holds a Fernet
token (cryptography's Fernet: AES-128-CBC with HMAC-SHA256) of ``[salt, text]`` under the
newest of ``JIUFENG_IDENTITY_KEYS``; any of the keys decrypts (MultiFernet). The keys are
never in the database or its backups.

The hash chain (audit.chain) links a column by ``sha256(salt + text)``, not by its token or its
text: re-encrypting under a new key keeps the salt and the text, so a sealed row's link holds
(rotation rewrites tokens, never links); a purge writes ``purged:<that digest>`` in place of
the token, so the link holds too, and without the salt, which was only inside the token, the
digest cannot be tried against guessed names or numbers.

Why not django-fernet-encrypted-fields (0.4.0): it derives its keys from SECRET_KEY (rotating
SECRET_KEY, or losing it, would orphan every identity: what the tracking codes' own keys just
ended), stores "" as NULL, and on a key it lacks returns the token as if it were the value. The
field below is Django's CharField over cryptography's Fernet, which does the cryptography.
"""

import functools
import hashlib
import json
import secrets
from collections.abc import Callable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models.functions import Cast

from audit.chain import Committed

PURGED_PREFIX = "purged:"
BATCH = 1000
# A keyed index kept beside an encrypted column: (index column, encrypted column, hash of the text).
Index = tuple[str, str, Callable[[str], str]]


class Purged(Committed):
    """A column's text removed after the retention period: empty, keeping its commitment for the chain."""

    def __new__(cls, chain_form: str, text: str = ""):
        return super().__new__(cls, "", chain_form)

    def __getnewargs__(self):
        return (self.chain_form,)


@functools.cache
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    return Fernet(keys[0]), MultiFernet([Fernet(key) for key in keys])


def fernets() -> tuple[Fernet, MultiFernet]:
    """(the newest key alone, all keys): read at call time, so a changed setting takes effect."""
    return _fernets(tuple(settings.JIUFENG_IDENTITY_KEYS))


def _commitment(salt: str, text: str) -> str:
    return hashlib.sha256(f"{salt}:{text}".encode()).hexdigest()


def seal(text: str) -> str:
    """The token stored for ``text``: a fresh salt each time (the same name twice is two tokens)."""
    salt = secrets.token_hex(16)
    return fernets()[1].encrypt(json.dumps([salt, text], ensure_ascii=False).encode()).decode()


def unseal(stored: str) -> Committed:
    """The text of a stored column, carrying its commitment; a purged column reads as ""."""
    if stored.startswith(PURGED_PREFIX):
        return Purged(stored.removeprefix(PURGED_PREFIX))
    try:
        salt, text = json.loads(fernets()[1].decrypt(stored.encode()))
    except InvalidToken:
        # Never show a token as if it were a name: a key is missing or wrong.
        raise ImproperlyConfigured(
            "An encrypted column does not decrypt with any of JIUFENG_IDENTITY_KEYS: "
            "a key it was encrypted with is missing."
        ) from None
    return Committed(text, _commitment(salt, text))


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted (a text column); max_length limits the text, not the token.

    No lookup by value can match it (each write has its own salt), so every lookup but
    ``isnull`` is refused rather than silently finding nothing: find rows by another column,
    as ``phone_index`` serves a petitioner's phone.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted: it cannot be looked up by value ({lookup_name}).")
        return super().get_lookup(lookup_name)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        if isinstance(value, Purged):
            return PURGED_PREFIX + value.chain_form
        return seal(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else unseal(value)


def rows_update(*, model: type[models.Model], pk: str, columns: tuple[str, ...], rows: list[tuple], guard: bool) -> int:
    """Set ``columns`` of each of ``rows`` [(pk, new...)] in one statement; returns rows written.

    ``guard``: rows are [(pk, old..., new...)] and a row is written only where its columns
    still hold the old values (a write meanwhile wins). Past the history tables' append-only
    rule, which refuses every update: used only where the texts and the chain's links stay as
    they were (a rotation, a purge, a migration). UPDATE ... FROM (VALUES ...), as the
    sealer's statement (audit.chain._links_write), on PostgreSQL and SQLite 3.33+ alike; not
    behind WITH, so that SQLite reports the rows written. Rotating 20,000 history rows this way
    took 7.4 s on PostgreSQL (0.37 ms a row, most of it Fernet in Python); 139,982 rows (100,000
    cases' identities and their history) 27–33 s, 0.19–0.23 ms a row. A save() per row cannot
    write history rows (append-only) and would add a history row per live row rewritten.
    """
    if not rows:
        return 0
    quote = connection.ops.quote_name
    width = 1 + len(columns) * (2 if guard else 1)
    values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(rows))
    # VALUES names its columns column1, column2 ... on PostgreSQL and SQLite alike: the key, then
    # the old values when guarded, then the new.
    new = [f"new.column{2 + (len(columns) if guard else 0) + i}" for i in range(len(columns))]
    assignments = ", ".join(f"{quote(c)} = {value}" for c, value in zip(columns, new, strict=True))
    where = "".join(f" AND {quote(c)} = new.column{2 + i}" for i, c in enumerate(columns)) if guard else ""
    # Only placeholders and quoted names of our own tables are put into the statement.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608
            f"FROM (VALUES {values}) AS new WHERE {quote(pk)} = new.column1{where}",
            [value for row in rows for value in row],
        )
        return cursor.rowcount


def _raw_batches(model: type[models.Model], pk: str, fields: tuple[str, ...], extra: tuple[str, ...] = (), batch=BATCH):
    """Each batch of ``batch`` rows as stored, [(pk, raw token..., extra...)], in primary-key order (keyset)."""
    raw = {f"raw_{name}": Cast(name, models.TextField()) for name in fields}
    after = None
    while True:
        rows = model._base_manager.order_by(pk).annotate(**raw)
        if after is not None:
            rows = rows.filter(**{f"{pk}__gt": after})
        rows = list(rows.values_list(pk, *raw, *extra)[:batch])
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _rotated(token: str) -> str:
    """The token under the newest key (the same salt and text), or itself if already so."""
    if token.startswith(PURGED_PREFIX):
        return token
    newest, every = fernets()
    try:
        newest.decrypt(token.encode())
    except InvalidToken:
        return every.rotate(token.encode()).decode()
    return token


def tokens_rotate(
    model: type[models.Model], pk: str, fields: tuple[str, ...], *, index: Index | None = None, batch: int = BATCH
) -> int:
    """Re-encrypt one table's ``fields`` under the newest key, one transaction per batch; returns rows rewritten.

    Tokens not under the newest key are re-encrypted (MultiFernet.rotate: same salt and text),
    ``index`` (a keyed hash of one column) is recomputed, and each batch is written in one
    statement that skips rows changed meanwhile. Safe to stop and run again: rows done are
    under the newest key and are skipped.
    """
    index_column = (index[0],) if index else ()
    columns = fields + index_column
    written = 0
    for rows in _raw_batches(model, pk, fields, index_column, batch):
        changes = []
        for key, *old in rows:
            new = [None if token is None else _rotated(token) for token in old[: len(fields)]]
            if index:
                token = new[fields.index(index[1])]
                new.append("" if token is None or token.startswith(PURGED_PREFIX) else index[2](unseal(token)))
            if new != old:
                changes.append((key, *old, *new))
        if changes:
            with transaction.atomic():
                written += rows_update(model=model, pk=pk, columns=columns, rows=changes, guard=True)
    return written


def encrypted_columns() -> dict[type[models.Model], tuple[str, ...]]:
    """Every model with encrypted columns, history models included, and those columns."""
    found = {}
    for model in apps.get_models():
        fields = tuple(f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField))
        if fields and not model._meta.proxy:
            found[model] = fields
    return found


def encrypted_rotate(*, batch: int = BATCH, indexes: dict[type[models.Model], Index] | None = None) -> dict[str, int]:
    """Re-encrypt every encrypted column of every table under the newest key (tokens_rotate);
    ``indexes``: the keyed index each model keeps beside a column, recomputed. Returns rows
    rewritten per table."""
    indexes = indexes or {}
    return {
        model._meta.label: tokens_rotate(model, model._meta.pk.attname, fields, index=indexes.get(model), batch=batch)
        for model, fields in encrypted_columns().items()
    }


def _is_token(text: str) -> bool:
    try:
        fernets()[1].decrypt(text.encode())
    except InvalidToken:
        return False
    return True


def clear_encrypt(model: type[models.Model], pk: str, fields: tuple[str, ...], *, index: Index | None = None) -> None:
    """For a migration: encrypt ``fields`` of the rows still in clear, ``BATCH`` rows at a time.

    A row is in clear unless its first field is a token or a purge marker (they are written
    together). ``index``: its column is set from the clear text.
    """
    columns = fields + ((index[0],) if index else ())
    for rows in _raw_batches(model, pk, fields):
        written = []
        for key, *texts in rows:
            if texts[0].startswith(PURGED_PREFIX) or _is_token(texts[0]):
                continue
            indexed = (index[2](texts[fields.index(index[1])]),) if index else ()
            written.append((key, *(None if text is None else seal(text) for text in texts), *indexed))
        rows_update(model=model, pk=pk, columns=columns, rows=written, guard=False)


def columns_encrypt_existing(apps, label: str, fields: tuple[str, ...], *, index: Index | None = None) -> None:
    """For a migration that made ``fields`` of the model ``label`` ("app.Model") encrypted: encrypt
    the rows still in clear, live and history, and link the sealed history rows anew by the
    commitments (their links were by the texts)."""
    app_label, model_name = label.split(".")
    history = apps.get_model(app_label, f"Historical{model_name}")
    clear_encrypt(apps.get_model(app_label, model_name), "id", fields, index=index)
    clear_encrypt(history, "history_id", fields)
    history_relink(history, apps.get_model("audit", "ChainHead"))


def history_relink(history: type[models.Model], head_model: type[models.Model]) -> None:
    """For a migration that encrypted columns of ``history``: link its sealed rows anew by the
    commitments, checking each old link (by the texts) first.

    Refuses a chain that was already broken (verify_history names the row): linking it anew
    would hide the break.
    """
    from audit.chain import CHAIN_COLUMNS, GENESIS, link

    head = head_model.objects.filter(table=history._meta.label).first()
    if head is None or not head.seq:
        return
    columns = tuple(f.attname for f in history._meta.concrete_fields if f.attname not in CHAIN_COLUMNS)
    previous = new_previous = GENESIS
    last, changed = 0, False
    while last < head.seq:
        rows = list(
            history._base_manager.filter(chain_seq__gt=last, chain_seq__lte=head.seq)
            .order_by("chain_seq")
            .values_list("history_id", "chain_seq", "chain_hash", *columns)[:BATCH]
        )
        if not rows:
            break
        relinked = []
        for key, seq, stored, *values in rows:
            texts = tuple(str(v) if isinstance(v, Committed) else v for v in values)
            # Linked by the texts (before), or by the commitments already (a second run).
            if seq != last + 1 or stored not in (link(previous, columns, texts), link(previous, columns, values)):
                raise ImproperlyConfigured(
                    f"{history._meta.label} #{seq}: the chain is broken (run verify_history); not linked anew."
                )
            new_previous = link(new_previous, columns, tuple(values))
            if new_previous != stored:
                relinked.append((key, new_previous))
            previous, last = stored, seq
        changed |= bool(relinked)
        rows_update(model=history, pk="history_id", columns=("chain_hash",), rows=relinked, guard=False)
    if changed:
        head_model.objects.filter(pk=head.pk).update(hash=new_previous, verified_seq=0, verified_hash="")


def tokens_purge(rows: models.QuerySet, fields: tuple[str, ...]) -> int:
    """Replace ``fields`` of ``rows`` by their purge markers in one statement; returns rows written.

    For history rows, which refuse every update: the texts go, their commitments (what the
    chain links) stay, so sealed links still verify. Rows already purged are left alone.
    """
    model = rows.model
    pk = model._meta.pk.attname
    purged = [
        (key, *(None if value is None else PURGED_PREFIX + value.chain_form for value in values))
        for key, *values in rows.values_list(pk, *fields)
        if not isinstance(values[0], Purged)
    ]
    return rows_update(model=model, pk=pk, columns=fields, rows=purged, guard=False)
