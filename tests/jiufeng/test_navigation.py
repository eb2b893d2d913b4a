import pytest
from django.urls import set_script_prefix
from django.utils import translation

from jiufeng.navigation import nav_items_for

pytestmark = pytest.mark.django_db


def _urls(user) -> dict[str, str]:
    links = {}
    with translation.override("en"):
        for entry in nav_items_for(user):
            for link in entry.get("children", [entry]):
                links[str(link["label"])] = link["url"]
    return links


def test_the_navigation_links_follow_the_script_prefix_each_time(cast):
    # The URLs are reversed once and kept, per script prefix: a site served under a path
    # (SCRIPT_NAME) links there, and the same process serving at the root links to the root.
    assert _urls(cast.county_officer)["Cases"] == "/cases/"
    try:
        set_script_prefix("/jiufeng/")
        under = _urls(cast.county_officer)
    finally:
        set_script_prefix("/")
    assert under["Cases"] == "/jiufeng/cases/" and under["Organisation"] == "/jiufeng/org/units/"
    assert _urls(cast.county_officer)["Cases"] == "/cases/"
