"""Petitioners' identities at rest: encrypted columns, the phone's keyed index, key rotation, the migration."""

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from audit.chain import seal
from audit.verify import history_verify
from complaints.duplicates import complaint_duplicate_id
from complaints.identity import identities_encrypt_existing, identity_keys_rotate, phone_index
from complaints.models import PetitionerIdentity
from complaints.phone_login import complaints_of_phone
from jiufeng.encrypted import EncryptedCharField, rows_update
from tests.jiufeng.test_settings import PRODUCTION, run_manage

pytestmark = pytest.mark.django_db

KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
COLUMNS = ("name", "phone", "id_number", "email")
PERSON = {"name": "张三", "phone": "13800138000", "id_number": "11010519491231002X", "email": "zhang@example.cn"}


@pytest.fixture(autouse=True)
def keys(settings):
    settings.JIUFENG_IDENTITY_KEYS = [KEY_A]
    return settings


@pytest.fixture
def real_name(cast, file_complaint):
    def file(**person):
        complaint, _code = file_complaint(subject_unit=cast.units.school, anonymous=False, **(PERSON | person))
        return complaint

    return file


def raw(table: str, pk: str = "id") -> list[tuple]:
    """The identity columns as the database holds them, read past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, phone, id_number, email FROM {table} ORDER BY {pk}")  # noqa: S608
        return cursor.fetchall()


_decrypted = EncryptedCharField.from_db_value


def identities_read_raw(field, value, expression, connection):
    """The identity tables read as before the migration (their columns as stored); other
    encrypted columns as always."""
    if field.model._meta.label in ("complaints.PetitionerIdentity", "complaints.HistoricalPetitionerIdentity"):
        return value
    return _decrypted(field, value, expression, connection)


def chains_hold() -> list:
    seal()
    return [report.broken for report in history_verify() if report.broken is not None]


def reveal(cast, complaint) -> dict:
    client = APIClient()
    client.force_authenticate(cast.county_officer)
    response = client.get(f"/api/v1/complaints/{complaint.pk}/identity/")
    assert response.status_code == 200
    return response.json()


def test_the_database_holds_no_identity_in_clear_and_permitted_staff_still_read_it(cast, real_name):
    complaint = real_name()
    rows = raw("complaints_petitioneridentity") + raw("complaints_historicalpetitioneridentity", "history_id")
    assert len(rows) == 2
    stored = " ".join(value for row in rows for value in row)
    for text in PERSON.values():
        assert text not in stored
    assert "张" not in stored
    assert reveal(cast, complaint) == {"anonymous": False, **PERSON}
    page = Client()
    page.force_login(cast.county_officer)
    shown = page.post(f"/cases/{complaint.pk}/identity/").content.decode()
    assert "张三" in shown
    assert "13800138000" in shown


def test_a_filing_finds_the_same_phone_by_its_keyed_index_however_it_is_typed(cast, real_name):
    first = real_name(phone="+86 138 0013 8000")
    identity = PetitionerIdentity.objects.get(complaint=first)
    assert identity.phone_index == phone_index("+8613800138000")
    assert "13800138000" not in identity.phone_index
    hint = complaint_duplicate_id(
        subject_unit=cast.units.sibling, content="另一件事，完全不同的内容", phone="13800138000"
    )
    assert hint == first.pk
    assert list(complaints_of_phone("13800138000")) == [first]
    assert complaint_duplicate_id(subject_unit=cast.units.sibling, content="另一件事", phone="13900000000") is None


def test_rotation_re_encrypts_every_row_under_the_newest_key_and_every_chain_still_verifies(cast, real_name, keys):
    complaint = real_name()
    second = real_name(name="李四", phone="13900139000")
    identity = PetitionerIdentity.objects.get(complaint=second)
    identity.email = "li@example.cn"
    identity.save(update_fields=["email"])
    assert chains_hold() == []
    history = PetitionerIdentity.history.model
    sealed = dict(history._base_manager.values_list("history_id", "chain_hash"))
    assert len(sealed) == 3

    keys.JIUFENG_IDENTITY_KEYS = [KEY_B, KEY_A]
    rotated = identity_keys_rotate(batch=2)
    assert (rotated[history._meta.label], rotated[PetitionerIdentity._meta.label]) == (3, 2)
    # Twice is once: what is under the newest key is skipped.
    assert set(identity_keys_rotate().values()) == {0}

    # Only the new key is needed now; the sealed links are as they were and still verify.
    keys.JIUFENG_IDENTITY_KEYS = [KEY_B]
    newest = Fernet(KEY_B)
    rows = raw("complaints_petitioneridentity") + raw("complaints_historicalpetitioneridentity", "history_id")
    assert all(newest.decrypt(value.encode()) for row in rows for value in row)
    assert dict(history._base_manager.values_list("history_id", "chain_hash")) == sealed
    assert chains_hold() == []
    assert reveal(cast, complaint) == {"anonymous": False, **PERSON}
    assert PetitionerIdentity.objects.get(complaint=second).email == "li@example.cn"
    assert complaint_duplicate_id(subject_unit=cast.units.sibling, content="别的事", phone="13900139000") == second.pk


def test_a_new_index_key_is_put_on_every_phone_by_the_rotation_command(cast, real_name, keys):
    complaint = real_name()
    keys.JIUFENG_IDENTITY_INDEX_KEY = "another index key, long enough for production"
    assert list(complaints_of_phone("13800138000")) == []
    call_command("rotate_identity_keys")
    assert list(complaints_of_phone("13800138000")) == [complaint]


@pytest.mark.parametrize("batch", [0, -5])
def test_the_rotation_command_refuses_a_batch_that_is_not_a_positive_number(real_name, batch):
    real_name()
    with pytest.raises(CommandError, match="positive number"):
        call_command("rotate_identity_keys", batch=batch)


def test_an_identity_no_key_decrypts_is_an_error_never_a_token_shown(real_name, keys):
    complaint = real_name()
    keys.JIUFENG_IDENTITY_KEYS = [KEY_B]
    with pytest.raises(ImproperlyConfigured, match="JIUFENG_IDENTITY_KEYS"):
        PetitionerIdentity.objects.get(complaint=complaint)


def test_production_without_identity_keys_starts_warned_and_refuses_a_bad_one():
    # API.md's production environment alone still starts: the keys are derived from SECRET_KEY.
    env = {**PRODUCTION}
    del env["JIUFENG_IDENTITY_KEYS"]
    assert run_manage("check", **env).returncode == 0
    warned, keyed = run_manage("check", "--deploy", **env), run_manage("check", "--deploy", **PRODUCTION)
    assert "jiufeng.W002" in warned.stdout + warned.stderr
    assert "jiufeng.W002" not in keyed.stdout + keyed.stderr
    short = run_manage("check", **{**PRODUCTION, "JIUFENG_IDENTITY_INDEX_KEY": "short"})
    assert short.returncode != 0 and "at least 32 characters" in short.stderr
    bad = run_manage("check", **{**PRODUCTION, "JIUFENG_IDENTITY_KEYS": "not-a-fernet-key"})
    assert bad.returncode != 0
    assert "must list Fernet keys" in bad.stderr
    assert run_manage("check", **PRODUCTION).returncode == 0


@pytest.mark.parametrize(
    "name",
    ["<script>alert(1)</script>", "'; DROP TABLE complaints_petitioneridentity; --", "欧阳" * 32, "Zoë 🙂"],
    ids=["html", "sql", "longest", "unicode"],
)
def test_hostile_names_are_stored_encrypted_and_read_back_unchanged(cast, real_name, name):
    complaint = real_name(name=name)
    assert name not in raw("complaints_petitioneridentity")[0][0]
    assert reveal(cast, complaint)["name"] == name


def test_a_name_too_long_is_refused_with_its_message_and_nothing_is_stored(real_name):
    with pytest.raises(ValidationError) as error:
        real_name(name="欧" * 65)
    assert "name" in error.value.message_dict
    assert not PetitionerIdentity.objects.exists()


def test_the_migration_encrypts_identities_kept_in_clear_and_links_their_sealed_history_anew(
    cast, real_name, monkeypatch
):
    complaint = real_name()
    identity = PetitionerIdentity.objects.get(complaint=complaint)
    history = PetitionerIdentity.history.model
    # The database as it was before: texts in clear, no phone index, history sealed by the texts.
    for model, pk in ((PetitionerIdentity, "id"), (history, "history_id")):
        keys = model._base_manager.values_list(pk, flat=True)
        rows = [(key, *PERSON.values(), *(("",) if model is PetitionerIdentity else ())) for key in keys]
        columns = COLUMNS + (("phone_index",) if model is PetitionerIdentity else ())
        rows_update(model=model, pk=pk, columns=columns, rows=rows, guard=False)
    with monkeypatch.context() as legacy:
        legacy.setattr(EncryptedCharField, "from_db_value", identities_read_raw)
        assert chains_hold() == []

    identities_encrypt_existing(apps)
    assert PERSON["name"] not in " ".join(raw("complaints_historicalpetitioneridentity", "history_id")[0])
    assert chains_hold() == []
    identity = PetitionerIdentity.objects.get(complaint=complaint)
    assert (identity.name, identity.phone, identity.email) == (PERSON["name"], PERSON["phone"], PERSON["email"])
    assert identity.phone_index == phone_index(PERSON["phone"])
    # Run again (a second migrate on a copy): nothing in clear is left, the links stay.
    identities_encrypt_existing(apps)
    assert chains_hold() == []


def test_the_migration_refuses_to_link_anew_a_history_chain_already_broken(real_name, monkeypatch):
    complaint = real_name()
    history = PetitionerIdentity.history.model
    [key] = history._base_manager.filter(id=complaint.identity.pk).values_list("history_id", flat=True)
    rows_update(model=history, pk="history_id", columns=COLUMNS, rows=[(key, *PERSON.values())], guard=False)
    with monkeypatch.context() as legacy:
        legacy.setattr(EncryptedCharField, "from_db_value", identities_read_raw)
        seal()
        # Edited after sealing, in clear as before the migration.
        rows_update(model=history, pk="history_id", columns=("name",), rows=[(key, "王五")], guard=False)
    with pytest.raises(ImproperlyConfigured, match="chain is broken"):
        identities_encrypt_existing(apps)
