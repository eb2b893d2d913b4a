import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from responsibility.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "单位名称,上级单位,单位类型,主要负责人,纠风专干,联系电话"


def test_the_education_liaison_previews_corrects_and_imports_a_file(page: Page, live_server):
    call_command("seed_demo", verbosity=0)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/?next=/org/units/import/")
    page.get_by_label("Username").fill("officer-edu")
    page.get_by_label("Password").fill("jiufeng-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import the organisation")

    bad = f"{HEADER}\n县教育局教研室,县教育局,内设机构,周主任,吴专干,12345678\n".encode()
    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(
        files=[{"name": "units.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator('[data-row="2"] [data-error-column="phone"]')).to_contain_text("not a phone number")
    expect(page.get_by_role("button", name="Import it")).to_have_count(0)

    good = bad.replace(b"12345678", b"13912340001") + "县教育局督导室,县教育局,内设机构,,,\n".encode()
    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(
        files=[{"name": "units.csv", "mimeType": "text/csv", "buffer": good}]
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("status").filter(has_text="No errors")).to_contain_text("2 to create")
    page.get_by_role("button", name="Import it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Import done")
    expect(page.get_by_test_id("units-created")).to_have_text("2")
    assert Unit.objects.filter(name__in=["县教育局教研室", "县教育局督导室"]).count() == 2
