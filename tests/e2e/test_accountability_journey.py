import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from responsibility.models import AccountabilityRecord, AccountabilityState
from tests.storage import private_storage_setting

from .navigation import menu_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": private_storage_setting(tmp_path),
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}


def log_in(page: Page, live_server, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("jiufeng-demo")
    page.get_by_role("button", name="Log in").click()


def test_the_bureau_principal_decides_on_a_school_principal_and_attaches_the_decision(page: Page, live_server):
    call_command("seed_demo", verbosity=0)
    log_in(page, live_server, "leader-edu")

    menu_open(page)
    page.get_by_role("button", name="Responsibility system").click()
    page.get_by_role("link", name="Accountability", exact=True).click()
    page.get_by_label("State").select_option("proposed")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="周校长").click()
    expect(page.get_by_test_id("record-state")).to_have_text("Proposed")

    page.get_by_label("Measure").select_option("interview")
    page.get_by_label("Decision note").fill("由县教育局主要负责人约谈")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("record-state")).to_have_text("Decided")

    page.get_by_label("Document (PDF, JPEG, PNG, DOC or DOCX, at most 10 MB)").set_input_files(
        {"name": "fake.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a pdf</html>"}
    )
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("Only PDF, JPEG, PNG, DOC and DOCX files are accepted")).to_be_visible()

    page.get_by_label("Document (PDF, JPEG, PNG, DOC or DOCX, at most 10 MB)").set_input_files(
        {"name": "约谈记录.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Attach").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="约谈记录.pdf").click()
    assert download.value.suggested_filename == "约谈记录.pdf"

    record = AccountabilityRecord.objects.get(user__username="demo-principal-syxx")
    assert record.state == AccountabilityState.DECIDED
    assert record.decided_by.username == "leader-edu"
