"""Accountability (问责): proposing, deciding, dismissing, documents, scope, pages."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm import TransitionNotAllowed

from jiufeng.roles import Role
from responsibility.deadlines import deadline_open
from responsibility.models import (
    AccountabilityDocument,
    AccountabilityMeasure,
    AccountabilityRecord,
    AccountabilityState,
    DeadlineKind,
    PositionKind,
)
from responsibility.services.accountability import (
    accountability_decide,
    accountability_dismiss,
    accountability_document_add,
    accountability_document_remove,
    accountability_propose,
)
from tests.factories import PositionFactory, UserFactory
from tests.storage import private_storage_setting, stored_text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": private_storage_setting(tmp_path),
    }
    return tmp_path


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def holder(unit, kind=PositionKind.PRINCIPAL):
    return PositionFactory(user=UserFactory(roles=[Role.LEADER]), unit=unit, kind=kind)


@pytest.fixture
def bureau_record(cast):
    """A record against the bureau's principal, proposed by the county officer (the level above)."""
    position = cast.bureau_leader.positions.get()
    return accountability_propose(actor=cast.county_officer, position=position, reason="督办后仍逾期未整改")


@pytest.fixture
def sibling_record(cast):
    return accountability_propose(
        actor=cast.county_officer, position=holder(cast.units.sibling), reason="窗口服务态度差"
    )


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Proposing -----------------------------------------------------------------------


def test_a_proposal_keeps_the_position_its_holder_and_unit(cast, bureau_record):
    assert bureau_record.state == AccountabilityState.PROPOSED
    assert bureau_record.user == cast.bureau_leader
    assert bureau_record.unit == cast.units.bureau
    assert bureau_record.proposed_by == cast.county_officer
    assert bureau_record.history.count() == 1


def test_the_escalation_sweep_proposes_as_the_system(cast):
    record = accountability_propose(actor=None, position=cast.bureau_leader.positions.get(), reason="超期未办结")
    assert record.proposed_by is None


def test_a_units_own_people_cannot_propose_against_their_unit(cast):
    with pytest.raises(PermissionDenied):
        accountability_propose(
            actor=cast.bureau_officer, position=cast.bureau_leader.positions.get(), reason="自己人提出"
        )


def test_a_proposal_against_a_unit_outside_the_actors_scope_is_not_found(cast):
    with pytest.raises(Http404):
        accountability_propose(actor=cast.bureau_leader, position=holder(cast.units.sibling), reason="越权")
    assert not AccountabilityRecord.objects.exists()


def test_nobody_proposes_against_themselves(cast):
    position = PositionFactory(user=cast.county_officer, unit=cast.units.school, kind=PositionKind.OFFICER)
    with pytest.raises(PermissionDenied):
        accountability_propose(actor=cast.county_officer, position=position, reason="自己")


def test_a_proposal_links_only_overdue_obligations_of_the_unit_subtree(cast):
    school_principal = holder(cast.units.school)
    past = timezone.now() - datetime.timedelta(days=3)
    overdue = deadline_open(target=school_principal, kind=DeadlineKind.VISIT, unit=cast.units.school, due_at=past)
    not_yet = deadline_open(
        target=school_principal,
        kind=DeadlineKind.PLEDGE_ITEM,
        unit=cast.units.school,
        due_at=timezone.now() + datetime.timedelta(days=3),
    )
    elsewhere = deadline_open(
        target=holder(cast.units.sibling), kind=DeadlineKind.VISIT, unit=cast.units.sibling, due_at=past
    )
    record = accountability_propose(
        actor=cast.bureau_officer, position=school_principal, reason="逾期", obligations=[overdue]
    )
    assert list(record.obligations.all()) == [overdue]
    for wrong in (not_yet, elsewhere):
        with pytest.raises(ValidationError) as error:
            accountability_propose(
                actor=cast.bureau_officer, position=school_principal, reason="x", obligations=[wrong]
            )
        assert "obligations" in error.value.message_dict
    assert AccountabilityRecord.objects.count() == 1


def test_a_proposal_without_a_reason_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        accountability_propose(actor=cast.county_officer, position=cast.bureau_leader.positions.get(), reason="  ")
    assert "reason" in error.value.message_dict
    assert not AccountabilityRecord.objects.exists()


# --- Deciding and dismissing ---------------------------------------------------------


def test_a_leader_of_the_level_above_decides(cast, bureau_record):
    record = accountability_decide(
        record_id=bureau_record.pk, actor=cast.county_leader, measure=AccountabilityMeasure.INTERVIEW, note="约谈"
    )
    record.refresh_from_db()
    assert record.state == AccountabilityState.DECIDED
    assert record.measure == AccountabilityMeasure.INTERVIEW
    assert record.decided_by == cast.county_leader
    assert record.decided_on == timezone.localdate()
    assert record.history.count() == 2


@pytest.mark.parametrize("who", ["bureau_leader", "bureau_officer", "county_officer", "auditor"])
def test_the_units_own_people_officers_and_auditors_may_not_decide(cast, bureau_record, who):
    with pytest.raises(PermissionDenied):
        accountability_decide(
            record_id=bureau_record.pk, actor=getattr(cast, who), measure=AccountabilityMeasure.INTERVIEW, note=""
        )
    with pytest.raises(PermissionDenied):
        accountability_dismiss(record_id=bureau_record.pk, actor=getattr(cast, who), reason="不予问责")
    bureau_record.refresh_from_db()
    assert bureau_record.state == AccountabilityState.PROPOSED


def test_the_bureau_principal_decides_on_a_school_but_not_on_the_bureau(cast, bureau_record):
    school_record = accountability_propose(
        actor=cast.bureau_officer, position=holder(cast.units.school), reason="乱收费"
    )
    accountability_decide(
        record_id=school_record.pk, actor=cast.bureau_leader, measure=AccountabilityMeasure.ADMONISHMENT, note=""
    )
    with pytest.raises(PermissionDenied):
        accountability_decide(
            record_id=bureau_record.pk, actor=cast.bureau_leader, measure=AccountabilityMeasure.INTERVIEW, note=""
        )


def test_a_record_is_decided_or_dismissed_once(cast, bureau_record):
    accountability_dismiss(record_id=bureau_record.pk, actor=cast.county_leader, reason="经核实不属实")
    bureau_record.refresh_from_db()
    assert bureau_record.state == AccountabilityState.DISMISSED
    assert bureau_record.decision_note == "经核实不属实"
    with pytest.raises(TransitionNotAllowed):
        accountability_decide(
            record_id=bureau_record.pk, actor=cast.county_leader, measure=AccountabilityMeasure.INTERVIEW, note=""
        )
    with pytest.raises(TransitionNotAllowed):
        accountability_dismiss(record_id=bureau_record.pk, actor=cast.county_leader, reason="again")


def test_a_decision_needs_a_known_measure_and_a_dismissal_a_reason(cast, bureau_record):
    with pytest.raises(ValidationError):
        accountability_decide(record_id=bureau_record.pk, actor=cast.county_leader, measure="firing_squad", note="")
    with pytest.raises(ValidationError):
        accountability_dismiss(record_id=bureau_record.pk, actor=cast.county_leader, reason=" ")
    bureau_record.refresh_from_db()
    assert bureau_record.state == AccountabilityState.PROPOSED


def test_the_state_cannot_be_set_directly(bureau_record):
    with pytest.raises(AttributeError):
        bureau_record.state = AccountabilityState.DECIDED


# --- Documents -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("decision.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "image/jpeg"),
        ("notice.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
    ids=["pdf", "png", "jpeg", "docx"],
)
def test_allowed_documents_are_stored_under_a_random_name(cast, bureau_record, private_storage, name, content, mime):
    document = accountability_document_add(
        record_id=bureau_record.pk, actor=cast.county_officer, file=upload(name, content)
    )
    assert document.content_type == mime
    assert document.original_name == name
    assert name not in document.file.name
    assert stored_text(document.file.name) == content
    # Encrypted at rest (jiufeng.filecrypt): the disk holds none of it.
    assert content[:64] not in (private_storage / document.file.name).read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "not one of them"),
        ("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "not one of them"),
        ("report.docx", b"PK\x03\x04" + b"\x00" * 100, "not one of them"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", PDF + b"\x00" * (10 * 1024 * 1024), "at most 10 MB"),
        (None, None, "Choose a file"),
    ],
    ids=["html-named-pdf", "exe-named-pdf", "zip-named-docx", "empty", "oversized", "missing"],
)
def test_bad_uploads_are_refused_with_a_clear_message(cast, bureau_record, private_storage, name, content, message):
    file = None if name is None else upload(name, content)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        accountability_document_add(record_id=bureau_record.pk, actor=cast.county_officer, file=file)
    assert message in str(error.value)
    assert not AccountabilityDocument.objects.exists()
    assert not list(private_storage.rglob("*.*"))


def test_documents_may_be_added_after_the_decision_but_not_by_the_subject(cast, bureau_record):
    accountability_decide(
        record_id=bureau_record.pk, actor=cast.county_leader, measure=AccountabilityMeasure.INTERVIEW, note=""
    )
    accountability_document_add(record_id=bureau_record.pk, actor=cast.county_leader, file=upload("决定书.pdf", PDF))
    with pytest.raises(PermissionDenied):
        accountability_document_add(record_id=bureau_record.pk, actor=cast.bureau_leader, file=upload("x.pdf", PDF))
    assert bureau_record.documents.count() == 1


def test_a_removed_document_is_hidden_but_its_file_kept(cast, bureau_record, private_storage):
    document = accountability_document_add(
        record_id=bureau_record.pk, actor=cast.county_officer, file=upload("a.pdf", PDF)
    )
    accountability_document_remove(document_id=document.pk, actor=cast.county_officer)
    assert not bureau_record.documents.current().exists()
    assert (private_storage / document.file.name).exists()
    with pytest.raises(ValidationError):
        accountability_document_remove(document_id=document.pk, actor=cast.county_officer)


# --- Pages ---------------------------------------------------------------------------


def test_the_list_shows_only_records_in_scope_and_filters(client, cast, bureau_record, sibling_record):
    client.force_login(cast.bureau_officer)
    response = client.get(reverse("responsibility:accountability-list"))
    assert list(response.context["page"].object_list) == [bureau_record]
    client.force_login(cast.county_officer)
    response = client.get(reverse("responsibility:accountability-list"), {"state": "decided"})
    assert list(response.context["page"].object_list) == []
    response = client.get(reverse("responsibility:accountability-list"), {"state": "proposed", "measure": "bogus"})
    assert response.status_code == 200


def test_records_and_their_documents_out_of_scope_answer_404(client, cast, sibling_record):
    document = accountability_document_add(
        record_id=sibling_record.pk, actor=cast.county_officer, file=upload("a.pdf", PDF)
    )
    client.force_login(cast.bureau_leader)
    urls = [
        reverse("responsibility:accountability-detail", args=[sibling_record.pk]),
        reverse("responsibility:accountability-document-download", args=[sibling_record.pk, document.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    posts = {
        "accountability-decide": {"measure": "interview"},
        "accountability-dismiss": {"reason": "x"},
        "accountability-document-add": {},
    }
    for name, data in posts.items():
        assert client.post(reverse(f"responsibility:{name}", args=[sibling_record.pk]), data).status_code == 404
    remove = reverse("responsibility:accountability-document-remove", args=[sibling_record.pk, document.pk])
    assert client.post(remove).status_code == 404
    assert AccountabilityDocument.objects.current().count() == 1


def test_the_subject_sees_the_record_but_deciding_answers_403(client, english, cast, bureau_record):
    client.force_login(cast.bureau_leader)
    page = client.get(reverse("responsibility:accountability-detail", args=[bureau_record.pk]))
    assert page.status_code == 200
    assert "Record the decision" not in page.content.decode()
    response = client.post(
        reverse("responsibility:accountability-decide", args=[bureau_record.pk]), {"measure": "interview"}
    )
    assert response.status_code == 403
    bureau_record.refresh_from_db()
    assert bureau_record.state == AccountabilityState.PROPOSED


def test_a_county_leader_decides_through_the_page(client, english, cast, bureau_record):
    client.force_login(cast.county_leader)
    url = reverse("responsibility:accountability-detail", args=[bureau_record.pk])
    assert "Record the decision" in client.get(url).content.decode()
    response = client.post(
        reverse("responsibility:accountability-decide", args=[bureau_record.pk]),
        {"measure": "circulated_criticism", "note": "全县通报"},
    )
    assert response.status_code == 302
    bureau_record.refresh_from_db()
    assert bureau_record.measure == AccountabilityMeasure.CIRCULATED_CRITICISM
    again = client.post(reverse("responsibility:accountability-dismiss", args=[bureau_record.pk]), {"reason": "重复"})
    assert again.status_code == 409


def test_a_decision_without_a_measure_is_shown_back_with_the_error(client, english, cast, bureau_record):
    client.force_login(cast.county_leader)
    response = client.post(reverse("responsibility:accountability-decide", args=[bureau_record.pk]), {"measure": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_propose_through_the_unit_page(client, english, cast):
    school_principal = holder(cast.units.school)
    overdue = deadline_open(
        target=school_principal,
        kind=DeadlineKind.VISIT,
        unit=cast.units.school,
        due_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.force_login(cast.bureau_officer)
    unit_page = client.get(reverse("responsibility:unit-detail", args=[cast.units.school.pk])).content.decode()
    url = reverse("responsibility:accountability-propose", args=[cast.units.school.pk])
    assert url in unit_page
    form = client.get(url).content.decode()
    assert str(school_principal.user) in form
    response = client.post(url, {"position": school_principal.pk, "reason": "逾期未走访", "obligations": [overdue.pk]})
    record = AccountabilityRecord.objects.get()
    assert response.status_code == 302
    assert list(record.obligations.all()) == [overdue]
    school_page = client.get(reverse("responsibility:unit-detail", args=[cast.units.school.pk]))
    assert school_page.context["unit"].accountability_list == [record]


def test_propose_refuses_a_position_elsewhere_and_the_units_own_people(client, english, cast):
    client.force_login(cast.bureau_officer)
    url = reverse("responsibility:accountability-propose", args=[cast.units.school.pk])
    response = client.post(url, {"position": cast.bureau_leader.positions.get().pk, "reason": "x"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert client.get(reverse("responsibility:accountability-propose", args=[cast.units.bureau.pk])).status_code == 403
    assert client.get(reverse("responsibility:accountability-propose", args=[cast.units.sibling.pk])).status_code == 404
    assert not AccountabilityRecord.objects.exists()


def test_upload_and_download_through_the_pages(client, english, cast, bureau_record):
    client.force_login(cast.county_officer)
    add = reverse("responsibility:accountability-document-add", args=[bureau_record.pk])
    response = client.post(add, {"file": upload("整改报告.pdf", PDF)})
    assert response.status_code == 302
    document = AccountabilityDocument.objects.get()
    download = reverse("responsibility:accountability-document-download", args=[bureau_record.pk, document.pk])
    detail = client.get(reverse("responsibility:accountability-detail", args=[bureau_record.pk])).content.decode()
    assert download in detail
    assert document.file.name not in detail

    # Anyone whose scope holds the unit may read it, the bureau's own liaison included.
    client.force_login(cast.bureau_officer)
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF

    disguised = client.post(add, {"file": upload("fake.pdf", b"<html></html>")})
    assert disguised.status_code == 403  # the liaison may read but not add
    client.force_login(cast.county_officer)
    disguised = client.post(add, {"file": upload("fake.pdf", b"<html></html>")})
    assert disguised.status_code == 400
    assert "Only PDF, JPEG, PNG, DOC and DOCX files are accepted" in disguised.content.decode()
    missing = client.post(add, {})
    assert "Choose a file to upload." in missing.content.decode()
    assert AccountabilityDocument.objects.count() == 1


def test_documents_are_not_reachable_by_any_public_url(client, cast, bureau_record):
    document = accountability_document_add(
        record_id=bureau_record.pk, actor=cast.county_officer, file=upload("a.pdf", PDF)
    )
    download = reverse("responsibility:accountability-document-download", args=[bureau_record.pk, document.pk])
    assert client.get(download).status_code == 302  # to the login page
    for url in (f"/{document.file.name}", f"/media/{document.file.name}", f"/static/{document.file.name}"):
        assert client.get(url).status_code == 404, url
    client.force_login(cast.auditor)
    # Auditors see every unit, read-only: they may read the file.
    assert client.get(download).status_code == 200
    accountability_document_remove(document_id=document.pk, actor=cast.county_officer)
    assert client.get(download).status_code == 404


def test_the_list_page_takes_the_same_queries_however_many_records(client, cast, django_assert_num_queries):
    def add_records(count):
        for _ in range(count):
            accountability_propose(actor=cast.county_officer, position=holder(cast.units.school), reason="逾期")

    add_records(2)
    client.force_login(cast.county_officer)
    url = reverse("responsibility:accountability-list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_records(8)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 10


def test_the_detail_page_takes_the_same_queries_however_many_documents(
    client, cast, bureau_record, django_assert_num_queries
):
    client.force_login(cast.county_leader)
    url = reverse("responsibility:accountability-detail", args=[bureau_record.pk])
    accountability_document_add(record_id=bureau_record.pk, actor=cast.county_officer, file=upload("a.pdf", PDF))
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        accountability_document_add(record_id=bureau_record.pk, actor=cast.county_officer, file=upload(f"{n}.pdf", PDF))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["record"].documents.all()) == 5


def test_history_names_who_acted_even_outside_a_request(cast, bureau_record):
    accountability_decide(
        record_id=bureau_record.pk, actor=cast.county_leader, measure=AccountabilityMeasure.INTERVIEW, note=""
    )
    assert [h.history_user for h in bureau_record.history.order_by("history_id")] == [
        cast.county_officer,
        cast.county_leader,
    ]
