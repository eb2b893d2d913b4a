"""The large-text switch (适老化): a form on every page, the choice kept in a cookie and
applied when the page is rendered, without JavaScript."""

import pytest
from django.urls import reverse

from jiufeng.text_size import COOKIE_NAME

pytestmark = pytest.mark.django_db

SWITCH = reverse("text-size")


def test_a_reader_turns_large_text_on_and_off_and_every_page_remembers(client):
    page = client.get(reverse("complaints:complaint-file")).content.decode()
    assert '<html lang="zh-Hans">' in page
    assert 'data-testid="text-size"' in page and 'name="size" value="large" aria-pressed="false"' in page

    response = client.post(SWITCH, {"size": "large", "next": "/file/?step=2"})
    assert response.status_code == 302 and response["Location"] == "/file/?step=2"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == "large" and cookie["max-age"] == 365 * 24 * 3600 and cookie["samesite"] == "Lax"

    for url in (reverse("home"), reverse("complaints:complaint-track"), reverse("login")):
        page = client.get(url).content.decode()
        assert '<html lang="zh-Hans" class="text-large">' in page, url
        assert 'name="size" value="normal" aria-pressed="true"' in page, url
        assert "大字" in page

    response = client.post(SWITCH, {"size": "normal", "next": "/"})
    assert response["Location"] == "/" and response.cookies[COOKIE_NAME].value == ""
    assert 'class="text-large"' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("size", ["", "huge", "large" * 1000, "<script>alert(1)</script>"])
def test_an_unknown_or_missing_size_changes_nothing_and_says_so(client, size):
    client.cookies[COOKIE_NAME] = "large"
    response = client.post(SWITCH, {"size": size, "next": "/track/"}, follow=True)
    assert response.redirect_chain == [("/track/", 302)]
    assert client.cookies[COOKIE_NAME].value == "large"
    body = response.content.decode()
    assert "没有这种字号，字号未改变。" in body and 'class="text-large"' in body


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", "", "\\\\evil.example"]
)
def test_the_switch_goes_back_only_to_a_page_of_this_site(client, next_url):
    response = client.post(SWITCH, {"size": "large", "next": next_url})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies[COOKIE_NAME].value == "large"


def test_without_next_the_switch_goes_back_to_the_referring_page_of_this_site(client):
    response = client.post(SWITCH, {"size": "large"}, HTTP_REFERER="http://testserver/track/phone/")
    assert response["Location"] == "http://testserver/track/phone/"
    response = client.post(SWITCH, {"size": "large"}, HTTP_REFERER="https://evil.example/")
    assert response["Location"] == "/"


def test_the_switch_changes_nothing_on_a_get_and_a_forged_cookie_reads_as_normal(client):
    assert client.get(SWITCH, {"size": "large"}).status_code == 405
    client.cookies[COOKIE_NAME] = '"><script>alert(1)</script>'
    page = client.get(reverse("home")).content.decode()
    assert "<script>alert(1)" not in page and 'class="text-large"' not in page
