"""Files in private storage encrypted at rest: a Storage that wraps the configured backend.

What is on disk (or in the bucket) for each file, version 1::

    MAGIC (8 bytes) | token length (2 bytes, big-endian) | token | nonce prefix (7 bytes) | chunks

- The file's own data key: 32 random bytes (AES-256-GCM), made for this file alone.
- ``token``: that key encrypted by the key ring (jiufeng.encrypted.fernets: JIUFENG_IDENTITY_KEYS, the
  identities' Fernet keys). The keys are never in the storage, the database or a backup.
- ``chunks``: the content cut into CHUNK bytes, each sealed by AES-GCM with the nonce
  ``prefix | chunk number (4 bytes) | 1 if last else 0`` and MAGIC as associated data (the
  STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár). A changed byte fails its
  chunk's tag; chunks swapped fail their numbers; a file cut short, even at a chunk's end,
  lacks a chunk sealed as the last; bytes added fail likewise. Each chunk is 16 bytes longer
  than its text, so the size of the text follows from the size stored, and any byte can be
  reached by decrypting one chunk (FileResponse's Content-Length, a seek).

Why a key per file, wrapped in the file's header: rotating the ring re-encrypts 140 bytes of
header per file and copies the rest as it is (files_rewrap), never the content; and a file
copied elsewhere (a backup) is useless without the ring.

A file without MAGIC is one stored in clear before this module: it opens as it is, and
``manage.py encrypt_stored_files`` encrypts it in place.

Memory: saving reads the content one chunk at a time and writes each chunk sealed; opening keeps
one chunk. A 20 MB upload is never whole in memory on its way through here.

Why not a library: django-encrypted-files (last release 2022: AES-CTR without authentication, one
key in settings) and django-encrypted-filefield (2020) are unmaintained; django-field-encryption
(2026, one author, first release months old) derives file keys from its own master keys, so
rotating them re-encrypts every file. cryptography's AESGCM and Fernet do the cryptography here.
"""

import io
import logging
import os
import posixpath
import secrets
import tempfile
from collections.abc import Iterator

from cryptography.exceptions import InvalidTag
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.module_loading import import_string

from .encrypted import fernets

logger = logging.getLogger(__name__)

# A NUL and a version: no text, PDF, Office file or photo begins so.
MAGIC = b"JFENC\x00\x01\n"
CHUNK = 64 * 1024
TAG = 16
SEALED = CHUNK + TAG
PREFIX = 7
# Temporary files of files_rewrap/files_encrypt_existing, beside the file they replace.
_TEMPORARY = ".filecrypt-"


class FileDamaged(Exception):
    """A stored file that cannot be read back as it was stored: changed, cut short, or its key
    is not in the ring. ``name`` is the storage name."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name, self.reason = name, reason


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _read_exactly(handle, size: int) -> bytes:
    pieces, wanted = [], size
    while wanted:
        piece = handle.read(wanted)
        if not piece:
            break
        # Text given to save (ContentFile("...")) is stored as UTF-8, as FileSystemStorage writes it.
        if isinstance(piece, str):
            piece = piece.encode()
        pieces.append(piece)
        wanted -= len(piece)
    return b"".join(pieces)


def _header(token: bytes, prefix: bytes) -> bytes:
    return MAGIC + len(token).to_bytes(2, "big") + token + prefix


def _sealed(content, *, key: bytes, prefix: bytes, token: bytes) -> Iterator[bytes]:
    """The header, then each chunk of ``content`` sealed; one chunk read ahead to know the last."""
    yield _header(token, prefix)
    aead = AESGCM(key)
    current, index = _read_exactly(content, CHUNK), 0
    while True:
        following = _read_exactly(content, CHUNK) if len(current) == CHUNK else b""
        last = not following
        yield aead.encrypt(_nonce(prefix, index, last), current, MAGIC)
        if last:
            return
        current, index = following, index + 1


class _Pieces(io.RawIOBase):
    """A readable stream over an iterator of bytes; read(n) gives n bytes until the end (some
    backends take a short read for the end)."""

    def __init__(self, pieces: Iterator[bytes]):
        self._pieces, self._buffer, self._position = pieces, b"", 0

    def readable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # Backends rewind what they are given before reading it; nothing else is possible.
        if (offset, whence) == (0, io.SEEK_SET) and self._position == 0:
            return 0
        raise io.UnsupportedOperation("an encrypting stream is read once, from the start")

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        size = len(self._buffer) if size < 0 else size
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        self._position += len(out)
        return out

    def readinto(self, buffer) -> int:
        out = self.read(len(buffer))
        buffer[: len(out)] = out
        return len(out)


class _Opened(io.RawIOBase):
    """The text of an encrypted file, read and sought by chunk; one chunk kept in memory."""

    def __init__(self, handle, *, name: str, key: bytes, prefix: bytes, start: int, stored: int):
        self._handle, self.name, self._prefix, self._start = handle, name, prefix, start
        self._aead = AESGCM(key)
        self._chunks = max(1, -(-stored // SEALED))
        last = stored - (self._chunks - 1) * SEALED
        if last < TAG:
            raise FileDamaged(name, "cut short")
        self.size = stored - TAG * self._chunks
        self._position, self._cached = 0, (-1, b"")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def _chunk(self, index: int) -> bytes:
        if self._cached[0] == index:
            return self._cached[1]
        self._handle.seek(self._start + index * SEALED)
        sealed = _read_exactly(self._handle, SEALED)
        try:
            text = self._aead.decrypt(_nonce(self._prefix, index, index == self._chunks - 1), sealed, MAGIC)
        except InvalidTag:
            raise FileDamaged(self.name, f"chunk {index} fails its check (changed, cut short or reordered)") from None
        self._cached = (index, text)
        return text

    def readinto(self, buffer) -> int:
        if self._position >= self.size:
            return 0
        index, offset = divmod(self._position, CHUNK)
        text = self._chunk(index)
        count = min(len(buffer), len(text) - offset)
        buffer[:count] = text[offset : offset + count]
        self._position += count
        return count

    def readall(self) -> bytes:
        pieces = []
        while piece := self.read(CHUNK):
            pieces.append(piece)
        return b"".join(pieces)

    def verify(self) -> None:
        """Check every chunk's tag (raises FileDamaged), keeping the position: before a response's
        headers are sent, so a damaged file is refused with a message rather than cut off."""
        for index in range(self._chunks):
            self._chunk(index)

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
        super().close()


class _StoredFile(File):
    """An opened encrypted file. Closed, it opens again through the storage (File.open would look
    for ``name`` on the disk, relative to the working directory). It has no fileno(): a server's
    sendfile() would send the stored bytes, not the file (gunicorn asks fileno() first)."""

    def __init__(self, opened: "_Opened", *, name: str, storage: "EncryptedStorage"):
        super().__init__(opened, name=name)
        self._storage = storage

    def open(self, mode="rb"):
        if self.closed:
            self.file = self._storage.open(self.name, mode).file
        else:
            self.seek(0)
        return self


def _open_inner(inner: Storage, name: str) -> tuple[File, bytes | None, int]:
    """(the stored file open, the wrapped key or None if stored in clear, where the chunks start)."""
    handle = inner.open(name, "rb")
    try:
        if _read_exactly(handle, len(MAGIC)) != MAGIC:
            handle.seek(0)
            return handle, None, 0
        length = int.from_bytes(_read_exactly(handle, 2), "big")
        token = _read_exactly(handle, length)
        if len(token) != length:
            raise FileDamaged(name, "header cut short")
        return handle, token, len(MAGIC) + 2 + length
    except BaseException:
        handle.close()
        raise


def _unwrap(name: str, token: bytes) -> bytes:
    try:
        key = fernets()[1].decrypt(token)
    except InvalidToken:
        raise FileDamaged(name, "its key does not decrypt with any of JIUFENG_IDENTITY_KEYS") from None
    if len(key) != 32:
        raise FileDamaged(name, "its key is not an AES-256 key")
    return key


class EncryptedStorage(Storage):
    """The private storage: ``backend`` (a Storage class path, FileSystemStorage by default) holds
    the encrypted bytes; this encrypts on save and decrypts on open. Names, existence, deletion
    and listing are the backend's. No ``path()``: nothing may read the stored bytes as the file."""

    def __init__(self, backend: str = "django.core.files.storage.FileSystemStorage", options: dict | None = None):
        self.inner = import_string(backend)(**(options or {}))

    # --- names and listing: the backend's --------------------------------------------------
    def get_valid_name(self, name):
        return self.inner.get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.inner.generate_filename(filename)

    def exists(self, name):
        return self.inner.exists(name)

    def delete(self, name):
        self.inner.delete(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def url(self, name):
        return self.inner.url(name)

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)

    def get_created_time(self, name):
        return self.inner.get_created_time(name)

    def get_accessed_time(self, name):
        return self.inner.get_accessed_time(name)

    # --- content ----------------------------------------------------------------------------
    def _save(self, name, content):
        key, prefix = AESGCM.generate_key(bit_length=256), secrets.token_bytes(PREFIX)
        token = fernets()[0].encrypt(key)
        if hasattr(content, "seek"):
            content.seek(0)
        sealed = _Pieces(_sealed(content, key=key, prefix=prefix, token=token))
        return self.inner.save(name, File(sealed, name=posixpath.basename(name)))

    def _open(self, name, mode="rb"):
        if mode not in ("rb", "r"):
            raise ValueError("files in the encrypted storage are read only: save a new file instead")
        handle, token, start = _open_inner(self.inner, name)
        if token is None:
            return handle
        try:
            key = _unwrap(name, token)
            prefix = _read_exactly(handle, PREFIX)
            handle.seek(0, io.SEEK_END)
            stored = handle.tell() - start - PREFIX
            if len(prefix) != PREFIX or stored < 0:
                raise FileDamaged(name, "header cut short")
            opened = _Opened(handle, name=name, key=key, prefix=prefix, start=start + PREFIX, stored=stored)
        except BaseException:
            handle.close()
            raise
        return _StoredFile(opened, name=name, storage=self)

    def size(self, name):
        with self.open(name) as file:
            return file.size

    def encrypted(self, name: str) -> bool:
        """Whether ``name`` is stored encrypted (False: in clear, from before this storage)."""
        handle, token, _start = _open_inner(self.inner, name)
        handle.close()
        return token is not None

    # --- rewriting in place (rotation, encrypting files stored in clear) --------------------
    def _replace(self, name: str, pieces: Iterator[bytes]) -> None:
        """Put ``pieces`` in place of ``name`` whole or not at all.

        On a local disk: written beside it, then renamed over it (atomic on POSIX). Elsewhere the
        backend must overwrite on save (django-storages' S3: ``file_overwrite``, its default, one
        PUT); one that would save under another name is refused, the file left as it was.
        """
        # path() alone does not tell a disk: InMemoryStorage answers it too.
        if not isinstance(self.inner, FileSystemStorage):
            saved = self.inner.save(name, File(_Pieces(pieces), name=posixpath.basename(name)))
            if saved != name:
                self.inner.delete(saved)
                raise ImproperlyConfigured(
                    f"{type(self.inner).__name__} saved {name} under another name: the private backend "
                    "must overwrite files in place to re-encrypt them."
                )
            return
        path = self.inner.path(name)
        directory = os.path.dirname(path)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=_TEMPORARY, delete=False) as temporary:
            try:
                for piece in pieces:
                    temporary.write(piece)
                temporary.flush()
                os.fsync(temporary.fileno())
                # The file's own permissions, as the backend gave them (FILE_UPLOAD_PERMISSIONS);
                # FileNotFoundError if it was deleted meanwhile (the retention purge): not brought back.
                os.chmod(temporary.name, os.stat(path).st_mode & 0o777)
                os.replace(temporary.name, path)
            except BaseException:
                os.unlink(temporary.name)
                raise

    def rewrap(self, name: str) -> bool:
        """Re-encrypt the file's key under the newest key of the ring, copying its chunks as they
        are; False if it was already so. Raises FileDamaged for a key no key decrypts."""
        handle, token, start = _open_inner(self.inner, name)
        with handle:
            if token is None:
                return False
            newest, every = fernets()
            try:
                newest.decrypt(token)
                return False
            except InvalidToken:
                pass
            _unwrap(name, token)
            token = every.rotate(token)
            handle.seek(start)
            self._replace(name, _header_then(token, handle))
        return True

    def encrypt_in_place(self, name: str) -> bool:
        """Encrypt a file stored in clear; False if it already is encrypted."""
        handle, token, _start = _open_inner(self.inner, name)
        with handle:
            if token is not None:
                return False
            key, prefix = AESGCM.generate_key(bit_length=256), secrets.token_bytes(PREFIX)
            self._replace(name, _sealed(handle, key=key, prefix=prefix, token=fernets()[0].encrypt(key)))
        return True

    def walk(self, path: str = "") -> Iterator[str]:
        """Every file's name, directory by directory (our own temporary files left out)."""
        try:
            directories, files = self.inner.listdir(path)
        except FileNotFoundError:
            # Nothing stored yet: a local storage's directory is made by the first file.
            return
        for file in sorted(files):
            if not file.startswith(_TEMPORARY):
                yield posixpath.join(path, file) if path else file
        for directory in sorted(directories):
            yield from self.walk(posixpath.join(path, directory) if path else directory)


def _header_then(token: bytes, handle) -> Iterator[bytes]:
    """A new header (its key wrapped anew), then the rest of ``handle`` as it is: the nonce
    prefix and the chunks."""
    yield MAGIC + len(token).to_bytes(2, "big") + token
    while piece := handle.read(CHUNK):
        yield piece


def private_storage() -> EncryptedStorage:
    """The configured private storage, which must be this module's (STORAGES["default"])."""
    # default_storage is lazy; isinstance sees the storage it stands for.
    if not isinstance(default_storage, EncryptedStorage):
        raise ImproperlyConfigured(
            "STORAGES['default'] is not jiufeng.filecrypt.EncryptedStorage: stored files are not encrypted."
        )
    return default_storage


def opened_for_response(field_file) -> File:
    """``field_file`` opened and, if encrypted, every chunk checked: FileNotFoundError for a file
    that is gone, FileDamaged for one that cannot be read back as stored (before any byte is
    sent, so the user is told rather than given a file cut off)."""
    field_file.open("rb")
    inner = getattr(field_file.file, "file", None)
    try:
        if isinstance(inner, _Opened):
            inner.verify()
    except FileDamaged:
        field_file.close()
        raise
    return field_file


def files_rewrap() -> dict[str, int | list[str]]:
    """Re-wrap every stored file's key under the newest key; rotation's step for files.

    Each file is rewritten whole or not at all (EncryptedStorage._replace); one done is skipped
    by a second run. Files in clear are counted, not touched (encrypt_stored_files); a file whose
    key no key decrypts is named and left: drop no old key while any is listed.
    """
    storage = private_storage()
    counts: dict[str, int | list[str]] = {"rewrapped": 0, "current": 0, "clear": 0, "unreadable": []}
    for name in storage.walk():
        try:
            if not storage.encrypted(name):
                counts["clear"] += 1
            elif storage.rewrap(name):
                counts["rewrapped"] += 1
            else:
                counts["current"] += 1
        except FileDamaged as error:
            logger.error("Stored file not re-wrapped: %s", error)
            counts["unreadable"].append(name)
        except FileNotFoundError:
            # Deleted since it was listed (the retention purge, an export's expiry).
            continue
    return counts


def files_encrypt_existing(*, limit: int | None = None) -> dict[str, int | list[str]]:
    """Encrypt every file still stored in clear (from before this storage), each in place.

    Stops after ``limit`` files encrypted (None: all), so a large store can be done over several
    runs; files already encrypted are skipped, so a second run encrypts nothing. One file at a
    time, whole or not at all; reads of a file meanwhile get the old bytes or the new, both
    readable.
    """
    storage = private_storage()
    counts: dict[str, int | list[str]] = {"encrypted": 0, "already": 0, "unreadable": []}
    for name in storage.walk():
        if limit is not None and counts["encrypted"] >= limit:
            break
        try:
            encrypted = storage.encrypt_in_place(name)
        except FileDamaged as error:
            logger.error("Stored file not encrypted: %s", error)
            counts["unreadable"].append(name)
            continue
        except FileNotFoundError:
            # Deleted since it was listed (the retention purge, an export's expiry).
            continue
        counts["encrypted" if encrypted else "already"] += 1
    return counts
