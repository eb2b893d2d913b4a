"""The database away (unreachable: a restart, a failover): 503 with Retry-After in the caller's
format, never a 500 or a traceback, and nothing stored; the next request after it is back works.

The outage is real: the connection settings point at a port where nothing listens, so
psycopg2 fails to connect as it does while PostgreSQL restarts.
"""

import socket

import pytest
from django.db import connection, connections
from django.test import Client

from complaints.models import Complaint

pytestmark = pytest.mark.django_db(transaction=True)

FILING = {"title": "窗口无人办理业务", "content": "上午九点到十一点窗口一直无人。", "anonymous": True}


def closed_port() -> int:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        return free.getsockname()[1]


class Outage:
    """As a restart does: every open connection to the test database is cut, and every new one
    goes to a closed port until ``end`` (connections.settings is the dict every connection, in
    any thread, is made from; a live server's thread keeps its connection open between requests)."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        self.configured = connections.settings["default"]
        self.port = self.configured["PORT"]
        connections.close_all()
        self.configured["PORT"] = closed_port()

    def end(self):
        self.configured["PORT"] = self.port
        connections.close_all()


@pytest.fixture
def database_away(settings):
    settings.DEBUG = False
    outage = Outage()
    yield outage
    outage.end()


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture
def filing(cast, category):
    return {**FILING, "category": category.pk, "subject_unit": cast.units.school.pk}


@pytest.fixture
def category(db):
    from complaints.models import Category

    return Category.objects.add_root({"code": "fees", "name": "乱收费"})


def test_an_api_filing_answers_503_json_with_retry_after_and_nothing_is_stored(client, filing, database_away):
    response = client.post("/api/v1/complaints/", filing, content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"detail": "服务暂时不可用，未保存任何内容。请一分钟后再试。"}
    english = client.post("/api/v1/complaints/", filing, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"].startswith("The service is briefly unavailable and nothing was saved")
    database_away.end()
    assert not Complaint.objects.exists()
    assert client.post("/api/v1/complaints/", filing, content_type="application/json").status_code == 201


def test_a_page_answers_a_503_page_that_says_what_to_do(client, database_away):
    response = client.get("/file/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "服务暂时不可用" in page
    assert "您填写的内容保存在本设备上" in page
    assert "Traceback" not in page


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_answers_its_error_list_with_503(client, database_away, fmt):
    response = client.get(f"/open311/v2/services.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"503" in response.content
    assert b"briefly unavailable" in response.content
