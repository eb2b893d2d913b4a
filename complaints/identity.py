"""Petitioners' identities at rest: which columns are encrypted, the phone's blind index, key rotation.

The columns are ``jiufeng.encrypted.EncryptedCharField``s (Fernet under
``JIUFENG_IDENTITY_KEYS``; the chain links them by a salted commitment): see that module.

A filing finds earlier filings by phone through ``phone_index``, an HMAC-SHA256 of the phone
under ``JIUFENG_IDENTITY_INDEX_KEY``: ciphertext cannot be searched, and an unkeyed hash of an
11-digit number is reversed by trying them all.
"""

import hashlib
import hmac

from django.conf import settings

from jiufeng.encrypted import BATCH, columns_encrypt_existing, encrypted_rotate

# The model's columns that hold identity, in order.
IDENTITY_FIELDS = ("name", "phone", "id_number", "email")


def phone_index(phone: str) -> str:
    """The keyed hash a phone is found by; "" for none."""
    if not phone:
        return ""
    return hmac.new(settings.JIUFENG_IDENTITY_INDEX_KEY.encode(), phone.encode(), hashlib.sha256).hexdigest()


PHONE_INDEX = ("phone_index", "phone", phone_index)


def identity_keys_rotate(*, batch: int = BATCH) -> dict[str, int]:
    """Re-encrypt every encrypted column (identities, message addresses; history included) under
    the newest key and rehash each phone (jiufeng.encrypted.encrypted_rotate: safe to stop and
    run again). Returns rows rewritten per table."""
    from .models import PetitionerIdentity

    return encrypted_rotate(batch=batch, indexes={PetitionerIdentity: PHONE_INDEX})


def identities_encrypt_existing(apps, schema_editor=None) -> None:
    """Migration complaints 0024: encrypt identities stored in clear, live and history, and link
    the sealed history rows anew by the commitments (their links were by the texts)."""
    columns_encrypt_existing(apps, "complaints.PetitionerIdentity", IDENTITY_FIELDS, index=PHONE_INDEX)
