"""scripts/backup.sh and scripts/restore.sh: a case with an attachment, backed up, restored into a
fresh database on a private PostgreSQL and a fresh media directory, is all there."""

import subprocess

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from audit.tasks import seal_history_task
from complaints.models import Category
from tests.complaints.attachment_files import PDF, upload
from tests.factories import complaint_filed

from .invariants import BROKEN, complaints_checked
from .processes import ROOT, app_env, database_url, manage

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

# A stored file read back through the app's storage, printed as hex.
READ = "from django.core.files.storage import default_storage as s; print(s.open(%r).read().hex())"


def script(name: str, directory, *, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the project's own scripts
        ["bash", str(ROOT / "scripts" / name), str(directory)], env=env, capture_output=True, text=True, timeout=300
    )


def test_a_case_with_its_history_and_attachment_survives_backup_and_restore(private_postgres, cast, tmp_path):
    category = Category.objects.add_root({"code": "fees", "name": "乱收费"})
    complaint, _code = complaint_filed(
        category=category, subject_unit=cast.units.school, title="食堂收费不公示", attachments=[upload("收据.pdf", PDF)]
    )
    attachment = complaint.attachments.get()
    # Sealed as beat would each minute, so that the restored chains are verified, not skipped.
    seal_history_task()
    source = app_env(redis_url="", database=database_url(), var_dir=tmp_path / "source")
    source["MEDIA_ROOT"] = settings.MEDIA_ROOT

    backup = script("backup.sh", tmp_path / "backup", env=source)
    assert backup.returncode == 0, backup.stderr

    private_postgres.createdb("restored")
    restored = app_env(redis_url="", database=private_postgres.url("restored"), var_dir=tmp_path / "restored")
    restore = script("restore.sh", tmp_path / "backup", env=restored)
    assert restore.returncode == 0, restore.stderr

    found = complaints_checked(restored)
    assert (found["complaints"], found["titles"]) == (1, ["食堂收费不公示"])
    assert [found[part] for part in BROKEN] == [0] * len(BROKEN)
    # The archive holds the file encrypted (jiufeng.filecrypt), its key wrapped by
    # JIUFENG_IDENTITY_KEYS, which are not in the backup: with them, the restored copy opens.
    restored_file = (tmp_path / "restored" / "media" / attachment.file.name).read_bytes()
    assert PDF not in restored_file and b"%PDF" not in restored_file
    opened = manage("shell", "--no-imports", "-c", READ % attachment.file.name, env=restored)
    assert opened.returncode == 0 and opened.stdout.strip() == PDF.hex(), opened.stderr
    stranger = {**restored, "JIUFENG_IDENTITY_KEYS": Fernet.generate_key().decode()}
    refused = manage("shell", "--no-imports", "-c", READ % attachment.file.name, env=stranger)
    assert refused.returncode != 0 and "does not decrypt with any of JIUFENG_IDENTITY_KEYS" in refused.stderr

    # The history's hash chains hold in the restored copy, every row of it sealed.
    verified = manage("verify_history", env=restored)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Every chain holds." in verified.stdout and " 0 not yet sealed" in verified.stdout.splitlines()[-2]

    # Restoring over it again is refused: nothing is overwritten.
    again = script("restore.sh", tmp_path / "backup", env=restored)
    assert again.returncode == 1 and "restore into a new one" in again.stderr
