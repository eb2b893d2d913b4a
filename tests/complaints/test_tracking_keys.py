"""Tracking codes keyed apart from SECRET_KEY: keys rotate and older codes keep opening their cases."""

import pytest
from django.utils.crypto import salted_hmac

from complaints.models import Complaint
from complaints.tracking import complaint_by_tracking_code, tracking_code_hash, tracking_code_normalise

pytestmark = pytest.mark.django_db

OLD, NEW = "old-tracking-key-" + "o" * 40, "new-tracking-key-" + "n" * 40


@pytest.fixture
def filed_under_old_key(settings, cast, file_complaint):
    settings.JIUFENG_TRACKING_CODE_KEYS = [OLD]
    return file_complaint(subject_unit=cast.units.school)


def test_without_keys_codes_are_hashed_as_before_with_secret_key(settings):
    settings.JIUFENG_TRACKING_CODE_KEYS = []
    code = "JF-7K3M-Q9XD-2WPA-HT6C"
    expected = salted_hmac(
        "jiufeng.complaints.tracking_code", tracking_code_normalise(code), algorithm="sha256"
    ).hexdigest()
    assert tracking_code_hash(code) == expected


def test_a_new_key_first_still_opens_codes_of_the_old_and_hashes_them_anew(settings, filed_under_old_key):
    complaint, code = filed_under_old_key
    settings.JIUFENG_TRACKING_CODE_KEYS = [NEW, OLD]
    assert complaint_by_tracking_code(code).pk == complaint.pk
    complaint.refresh_from_db()
    assert complaint.tracking_code_hash == tracking_code_hash(code)
    # The old key can go once its codes were used: the new one opens this case alone.
    settings.JIUFENG_TRACKING_CODE_KEYS = [NEW]
    assert complaint_by_tracking_code(code).pk == complaint.pk


def test_rotating_secret_key_orphans_no_code(settings, filed_under_old_key):
    complaint, code = filed_under_old_key
    settings.SECRET_KEY = "a-completely-different-secret-key-" + "z" * 30
    assert complaint_by_tracking_code(code).pk == complaint.pk


def test_a_dropped_key_no_longer_opens_codes_not_yet_rehashed(settings, filed_under_old_key):
    _complaint, code = filed_under_old_key
    settings.JIUFENG_TRACKING_CODE_KEYS = [NEW]
    assert complaint_by_tracking_code(code) is None


def test_the_api_tracks_and_the_staff_search_finds_a_code_of_an_older_key(settings, cast, filed_under_old_key, client):
    complaint, code = filed_under_old_key
    settings.JIUFENG_TRACKING_CODE_KEYS = [NEW, OLD]
    client.force_login(cast.county_officer)
    found = client.get("/api/v1/complaints/", {"q": code}).json()["results"]
    assert [row["id"] for row in found] == [complaint.pk]
    assert client.get("/api/v1/track/", HTTP_X_TRACKING_CODE=code).status_code == 200
    assert Complaint.objects.get(pk=complaint.pk).tracking_code_hash == tracking_code_hash(code)
