"""Petitioners' identities at rest: encrypted columns, the phone's blind index, key rotation.

Each identity column (name, phone, ID number, email; the live row and its history rows) holds a
Fernet token (cryptography's Fernet: AES-128-CBC with HMAC-SHA256) of ``[salt, text]`` under
the newest of ``JIUFENG_IDENTITY_KEYS``; any of the keys decrypts (MultiFernet). The keys are
never in the database or its backups.

The hash chain (audit.chain) links a column by ``sha256(salt + text)``, not by its token or its
text: re-encrypting under a new key keeps the salt and the text, so a sealed row's link holds
(rotation rewrites tokens, never links); a purge (complaints.retention) writes ``purged:<that
digest>`` in place of the token, so the link holds too, and without the salt, which was only
inside the token, the digest cannot be tried against guessed names or numbers.

A filing finds earlier filings by phone through ``phone_index``, an HMAC-SHA256 of the phone
under ``JIUFENG_IDENTITY_INDEX_KEY``: ciphertext cannot be searched, and an unkeyed hash of an
11-digit number is reversed by trying them all.

Why not django-fernet-encrypted-fields (0.4.0): it derives its keys from SECRET_KEY (rotating
SECRET_KEY, or losing it, would orphan every identity: what the tracking codes' own keys just
ended), stores "" as NULL, and on a key it lacks returns the token as if it were the value. The
field below is Django's CharField over cryptography's Fernet, which does the cryptography.
"""

import functools
import hashlib
import hmac
import json
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models.functions import Cast

from audit.chain import Committed

PURGED_PREFIX = "purged:"
# The model's columns that hold identity, in order.
IDENTITY_FIELDS = ("name", "phone", "id_number", "email")
BATCH = 1000


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
            "An identity does not decrypt with any of JIUFENG_IDENTITY_KEYS: a key it was encrypted with is missing."
        ) from None
    return Committed(text, _commitment(salt, text))


class IdentityField(models.CharField):
    """A CharField stored encrypted (a text column); max_length limits the text, not the token.

    Lookups cannot match it (each write has its own salt): find rows by another column, as
    ``phone_index`` serves the phone.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        if isinstance(value, Purged):
            return PURGED_PREFIX + value.chain_form
        return seal(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else unseal(value)


def phone_index(phone: str) -> str:
    """The keyed hash a phone is found by; "" for none."""
    if not phone:
        return ""
    return hmac.new(settings.JIUFENG_IDENTITY_INDEX_KEY.encode(), phone.encode(), hashlib.sha256).hexdigest()


def rows_update(*, model: type[models.Model], pk: str, columns: tuple[str, ...], rows: list[tuple], guard: bool) -> int:
    """Set ``columns`` of each of ``rows`` [(pk, new...)] in one statement; returns rows written.

    ``guard``: rows are [(pk, old..., new...)] and a row is written only where its columns
    still hold the old values (a write meanwhile wins). Past the history tables' append-only
    rule, which refuses every update: used only where the texts and the chain's links stay as
    they were (a rotation, a purge, the migration). UPDATE ... FROM (VALUES ...), as the
    sealer's statement (audit.chain._links_write), on PostgreSQL and SQLite 3.33+ alike; not
    behind WITH, so that SQLite reports the rows written. Rotating 20,000 history rows this way
    took 7.4 s on PostgreSQL (0.37 ms a row, most of it Fernet in Python).
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


def _rotate_table(model: type[models.Model], pk: str, *, indexed: bool, batch: int) -> int:
    """Rotate one table's tokens, ``batch`` rows per transaction in primary-key order; returns rows rewritten."""
    raw = {f"raw_{name}": Cast(name, models.TextField()) for name in IDENTITY_FIELDS}
    columns = IDENTITY_FIELDS + (("phone_index",) if indexed else ())
    written, after = 0, None
    while True:
        rows = model._base_manager.order_by(pk).annotate(**raw)
        if after is not None:
            rows = rows.filter(**{f"{pk}__gt": after})
        rows = list(rows.values_list(pk, *raw, *(("phone_index",) if indexed else ()))[:batch])
        if not rows:
            return written
        changes = []
        for key, *old in rows:
            new = [None if token is None else _rotated(token) for token in old[: len(IDENTITY_FIELDS)]]
            if indexed:
                phone = new[1]
                new.append("" if phone is None or phone.startswith(PURGED_PREFIX) else phone_index(unseal(phone)))
            if new != old:
                changes.append((key, *old, *new))
        if changes:
            with transaction.atomic():
                written += rows_update(model=model, pk=pk, columns=columns, rows=changes, guard=True)
        after = rows[-1][0]


def identities_rotate(*, batch: int = BATCH) -> dict[str, int]:
    """Re-encrypt every identity, live and history, under the newest key, and rehash each phone.

    Steps per table: read a batch of raw tokens by primary key (keyset), re-encrypt those not
    under the newest key (MultiFernet.rotate: same salt and text), write them in one statement
    that skips rows changed meanwhile, commit, go on. Safe to stop and run again: rows done
    are under the newest key and are skipped. Returns rows rewritten per table.
    """
    from .models import PetitionerIdentity

    history = PetitionerIdentity.history.model
    return {
        PetitionerIdentity._meta.label: _rotate_table(PetitionerIdentity, "id", indexed=True, batch=batch),
        history._meta.label: _rotate_table(history, "history_id", indexed=False, batch=batch),
    }


def _legacy_encrypt(model: type[models.Model], pk: str, *, indexed: bool) -> None:
    """Encrypt the columns of ``model`` still in clear, ``BATCH`` rows at a time by primary key."""
    raw = {f"raw_{name}": Cast(name, models.TextField()) for name in IDENTITY_FIELDS}
    after = None
    while True:
        rows = model._base_manager.order_by(pk).annotate(**raw)
        rows = list((rows.filter(**{f"{pk}__gt": after}) if after is not None else rows).values_list(pk, *raw)[:BATCH])
        if not rows:
            return
        written = []
        for key, *texts in rows:
            if texts[1].startswith(PURGED_PREFIX) or _is_token(texts[1]):
                continue
            written.append((key, *map(seal, texts), *((phone_index(texts[1]),) if indexed else ())))
        columns = IDENTITY_FIELDS + (("phone_index",) if indexed else ())
        rows_update(model=model, pk=pk, columns=columns, rows=written, guard=False)
        after = rows[-1][0]


def _is_token(text: str) -> bool:
    try:
        fernets()[1].decrypt(text.encode())
    except InvalidToken:
        return False
    return True


def _history_relink(history: type[models.Model], head_model: type[models.Model]) -> None:
    """Link the sealed history rows anew by their commitments, checking each old link (by the texts) first.

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


def identities_encrypt_existing(apps, schema_editor=None) -> None:
    """Migration complaints 0024: encrypt identities stored in clear, live and history, and link
    the sealed history rows anew by the commitments (their links were by the texts)."""
    live = apps.get_model("complaints", "PetitionerIdentity")
    history = apps.get_model("complaints", "HistoricalPetitionerIdentity")
    _legacy_encrypt(live, "id", indexed=True)
    _legacy_encrypt(history, "history_id", indexed=False)
    _history_relink(history, apps.get_model("audit", "ChainHead"))
