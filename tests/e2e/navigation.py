import re

from playwright.sync_api import Page, expect


def menu_open(page: Page) -> None:
    """Open the phone-width menu and wait until it has finished opening.

    A click on a link while Bootstrap still animates the menu open can land on nothing.
    """
    page.get_by_role("button", name="Open the menu").click()
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
