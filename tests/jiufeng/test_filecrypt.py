"""jiufeng.filecrypt's storage on its own: sizes at the chunks' edges, seeking, a backend that is not
a local disk, and what it refuses."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile

from jiufeng.filecrypt import CHUNK, MAGIC, TAG, EncryptedStorage, FileDamaged


def local(tmp_path) -> EncryptedStorage:
    return EncryptedStorage(options={"location": str(tmp_path)})


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])
def test_every_size_round_trips_and_is_known_without_reading(tmp_path, size):
    storage = local(tmp_path)
    text = bytes(range(256)) * (size // 256) + bytes(size % 256)
    name = storage.save("f.bin", ContentFile(text))
    stored = (tmp_path / name).read_bytes()
    chunks = max(1, -(-size // CHUNK))
    assert stored.startswith(MAGIC) and len(stored) == len(MAGIC) + 2 + 140 + 7 + size + TAG * chunks
    assert storage.size(name) == size
    with storage.open(name) as file:
        assert file.size == size and file.read() == text


def test_any_byte_is_reached_by_seeking(tmp_path):
    storage = local(tmp_path)
    text = bytes(n % 251 for n in range(2 * CHUNK + 100))
    name = storage.save("f.bin", ContentFile(text))
    with storage.open(name) as file:
        file.seek(CHUNK + 7)
        assert file.read(10) == text[CHUNK + 7 : CHUNK + 17]
        assert file.seek(-3, io.SEEK_END) == len(text) - 3 and file.read() == text[-3:]
        file.seek(0)
        assert file.read(5) == text[:5]


def test_a_backend_that_is_not_a_disk_holds_the_files_encrypted(tmp_path):
    storage = EncryptedStorage(backend="django.core.files.storage.InMemoryStorage")
    name = storage.save("a/b.txt", ContentFile(b"a sentence of the case"))
    with storage.inner.open(name) as raw:
        assert b"sentence" not in raw.read()
    with storage.open(name) as file:
        assert file.read() == b"a sentence of the case"
    # One that saves under a new name instead of overwriting cannot be rewritten in place: said
    # plainly, the file left as it was and no copy left behind.
    storage.inner.save("clear.txt", ContentFile(b"stored in clear"))
    with pytest.raises(ImproperlyConfigured, match="must overwrite files in place"):
        storage.encrypt_in_place("clear.txt")
    with storage.open("clear.txt") as file:
        assert file.read() == b"stored in clear"
    assert sorted(storage.walk()) == ["a/b.txt", "clear.txt"]


def test_files_are_read_only_once_stored(tmp_path):
    storage = local(tmp_path)
    name = storage.save("f.bin", ContentFile(b"x"))
    with pytest.raises(ValueError, match="read only"):
        storage.open(name, "wb")


def test_a_header_cut_short_is_damage_not_a_crash(tmp_path):
    storage = local(tmp_path)
    name = storage.save("f.bin", ContentFile(b"x" * 100))
    path = tmp_path / name
    path.write_bytes(path.read_bytes()[: len(MAGIC) + 5])
    with pytest.raises(FileDamaged, match="header cut short"):
        storage.open(name)


def test_an_opened_file_reopens_and_offers_no_descriptor_to_send_from(tmp_path):
    storage = local(tmp_path)
    name = storage.save("f.txt", ContentFile("正文"))
    file = storage.open(name)
    assert file.read() == "正文".encode()
    # gunicorn sends a response's file with sendfile() when it has a descriptor: the stored bytes.
    with pytest.raises(io.UnsupportedOperation):
        file.fileno()
    file.close()
    with file.open() as again:
        assert again.read() == "正文".encode()
