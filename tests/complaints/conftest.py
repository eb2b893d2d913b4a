import pytest
from django.utils import translation

from complaints.models import Category, Channel
from complaints.services import complaint_file


@pytest.fixture
def category(db):
    return Category.objects.add_root({"code": "fees", "name": "乱收费"})


@pytest.fixture
def file_complaint(category):
    """File through the service, as a petitioner would; returns (complaint, code)."""

    def file(*, subject_unit, anonymous=True, **overrides):
        fields = {
            "channel": Channel.WEB,
            "category": category,
            "subject_unit": subject_unit,
            "title": "学校强制订购教辅资料",
            "content": "班主任要求每人交200元购买指定资料。",
            "occurred_on": None,
            "location": "",
            "anonymous": anonymous,
            "name": "" if anonymous else "张三",
            "phone": "" if anonymous else "13800138000",
            "id_number": "",
            "email": "",
        }
        fields.update(overrides)
        return complaint_file(**fields)

    return file


@pytest.fixture(autouse=True)
def english_messages():
    # These tests read the services' error messages in their source language.
    with translation.override("en"):
        yield
