"""Storing and serving a --mb MB attachment, in clear (FileSystemStorage, as before
jiufeng.filecrypt) and encrypted (EncryptedStorage over it): seconds and peak Python memory.

Steps, for each storage, --runs times (the median is printed):
1. upload: a TemporaryUploadedFile of --mb MB (as Django hands a large upload to a view, made
   before the clock starts) saved through the storage, as attachment_store does (in clear,
   FileSystemStorage moves the temporary file: a rename, no copy);
2. download: jiufeng.file_responses.stored_file_response (open, check every chunk, FileResponse)
   and its streaming content read through, as the WSGI server does;
then once more under tracemalloc for each step's peak (tracemalloc slows allocation, so the
timed runs are without it). No database: the storage and the response only.

    DEBUG=true .venv/bin/python bench/attachment_crypt.py --mb 10 --runs 5
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiufeng.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.files.storage import FileSystemStorage  # noqa: E402
from django.core.files.uploadedfile import TemporaryUploadedFile  # noqa: E402
from django.db.models.fields.files import FieldFile  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from complaints.models import Attachment  # noqa: E402
from jiufeng.file_responses import stored_file_response  # noqa: E402
from jiufeng.filecrypt import EncryptedStorage  # noqa: E402

MB = 1024 * 1024


def upload(size: int) -> TemporaryUploadedFile:
    file = TemporaryUploadedFile("scan.pdf", "application/pdf", size, None)
    block = os.urandom(MB)
    for _ in range(size // MB):
        file.write(block)
    file.seek(0)
    return file


def store(storage, file: TemporaryUploadedFile) -> str:
    try:
        return storage.save("complaints/scan.pdf", file)
    finally:
        file.close()


def serve(storage, name: str) -> int:
    field_file = FieldFile(None, Attachment._meta.get_field("file"), name)
    field_file.storage = storage
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = stored_file_response(
        request, field_file, filename="scan.pdf", content_type="application/pdf", as_attachment=True
    )
    sent = sum(len(piece) for piece in response.streaming_content)
    response.close()
    assert sent == int(response["Content-Length"])
    return sent


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def traced(function, *args) -> int:
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    size = options.mb * MB
    print(f"{options.mb} MB file, median of {options.runs} runs; peak = tracemalloc's, one traced run")
    print(f"{'storage':<10} {'upload s':>9} {'download s':>11} {'upload peak':>12} {'download peak':>14}")
    for label, make in (
        ("clear", lambda root: FileSystemStorage(location=root)),
        ("encrypted", lambda root: EncryptedStorage(options={"location": root})),
    ):
        with tempfile.TemporaryDirectory() as root:
            storage = make(root)
            uploads, downloads = [], []
            for _ in range(options.runs):
                seconds, name = timed(store, storage, upload(size))
                uploads.append(seconds)
                seconds, sent = timed(serve, storage, name)
                assert sent == size
                downloads.append(seconds)
                storage.delete(name)
            upload_peak = traced(store, storage, upload(size))
            name = next(iter(storage.listdir("complaints")[1]))
            download_peak = traced(serve, storage, f"complaints/{name}")
        print(
            f"{label:<10} {statistics.median(uploads):>9.3f} {statistics.median(downloads):>11.3f} "
            f"{upload_peak / 1024:>9.0f} KiB {download_peak / 1024:>11.0f} KiB"
        )


if __name__ == "__main__":
    main()
