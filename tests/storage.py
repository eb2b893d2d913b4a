"""The private storage as production has it (jiufeng.filecrypt over FileSystemStorage), in a test's
own directory; and the text of a stored file, read back through it."""

from django.core.files.storage import default_storage


def private_storage_setting(location) -> dict:
    return {
        "BACKEND": "jiufeng.filecrypt.EncryptedStorage",
        "OPTIONS": {
            "backend": "django.core.files.storage.FileSystemStorage",
            "options": {"location": str(location)},
        },
    }


def stored_text(name: str) -> bytes:
    """What the storage gives back for ``name`` (decrypted); the bytes on disk are not that."""
    with default_storage.open(name) as file:
        return file.read()
