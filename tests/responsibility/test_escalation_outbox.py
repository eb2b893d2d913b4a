"""The outbox: written with the escalation, delivered once, retried on failure."""

import datetime
import re

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from jiufeng.context_processors import navigation
from jiufeng.models import Notification, OutboxMessage, OutboxState
from jiufeng.notifications import notify
from jiufeng.tasks import deliver_outbox_task
from responsibility.services.escalations import deadlines_sweep
from tests.jiufeng.outbox_helpers import delivery_runs_queued

from .escalation_helpers import DUE, ladder_tree, open_deadline

pytestmark = pytest.mark.django_db


class FlakySms:
    sent: list = []
    fail = False

    def send(self, *, phone, text):
        if FlakySms.fail:
            raise ConnectionError("gateway down")
        FlakySms.sent.append((phone, text))


@pytest.fixture
def sms(settings):
    settings.JIUFENG_SMS_BACKEND = "tests.responsibility.test_escalation_outbox.FlakySms"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    FlakySms.sent, FlakySms.fail = [], False
    return FlakySms


def test_the_sweep_enqueues_delivery_only_on_commit(units, django_capture_on_commit_callbacks, monkeypatch):
    tree = ladder_tree(units)
    open_deadline(tree.grade)
    with django_capture_on_commit_callbacks() as callbacks:
        deadlines_sweep(at=DUE + datetime.timedelta(days=1))
    assert delivery_runs_queued(callbacks, monkeypatch) == 1


def test_outbox_is_delivered_once_when_the_task_runs_twice(units, sms):
    tree = ladder_tree(units)
    open_deadline(tree.grade)
    deadlines_sweep(at=DUE + datetime.timedelta(days=1))
    deliver_outbox_task()
    deliver_outbox_task()
    assert [m.to for m in mail.outbox] == [["grade-liaison@example.org"]]
    assert "/org/escalations/" in mail.outbox[0].body
    assert len(sms.sent) == 1
    assert set(OutboxMessage.objects.values_list("state", "attempts")) == {(OutboxState.SENT, 1)}


def test_a_failed_sms_is_retried_later_and_given_up_after_the_last_attempt(units, sms, settings):
    settings.JIUFENG_OUTBOX_MAX_ATTEMPTS = 2
    user = ladder_tree(units).people[("grade", "liaison")]
    sms.fail = True
    notify(users=[user], subject="s", body="b", link="/inbox/", why="w")
    assert deliver_outbox_task() == {"sent": 1, "retry": 1, "failed": 0}
    message = OutboxMessage.objects.get(channel="sms")
    assert message.last_error == "gateway down"
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=message.next_attempt_at - datetime.timedelta(days=1)
    )
    assert deliver_outbox_task() == {"sent": 0, "retry": 0, "failed": 1}
    message.refresh_from_db()
    assert message.state == OutboxState.FAILED
    assert deliver_outbox_task() == {"sent": 0, "retry": 0, "failed": 0}


def test_inbox_lists_marks_read_and_counts_unread_in_one_query(units, client, django_assert_num_queries):
    user = ladder_tree(units).people[("grade", "liaison")]
    notify(users=[user], subject="First", body="b", link="/inbox/", why="because")
    notify(users=[user], subject="Second", body="b", link="/inbox/", why="because")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get("/inbox/").content.decode()
    assert "First" in page and "Second" in page and "because" in page
    first = Notification.objects.get(subject="First")
    client.post("/inbox/read/", {"notification": first.pk})
    assert list(Notification.objects.filter(read_at__isnull=True).values_list("subject", flat=True)) == ["Second"]
    request = RequestFactory().get("/")
    request.user = user
    context = navigation(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "1"
    client.post("/inbox/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize("bad", ["abc", "-1", "9" * 40, "1 OR 1=1"])
def test_inbox_ignores_hostile_ids_and_never_touches_others_notifications(units, client, bad):
    tree = ladder_tree(units)
    mine, theirs = tree.people[("grade", "liaison")], tree.people[("school", "liaison")]
    notify(users=[mine, theirs], subject="s", body="b", link="", why="w")
    client.force_login(mine)
    assert client.post("/inbox/read/", {"notification": bad}).status_code == 302
    other = Notification.objects.get(recipient=theirs)
    client.post("/inbox/read/", {"notification": other.pk})
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_inbox_needs_login(client):
    assert client.get("/inbox/").status_code == 302
    assert client.get("/inbox/read/").status_code in (302, 405)


def test_a_broker_outage_delays_delivery_but_loses_nothing(units, sms, monkeypatch, django_capture_on_commit_callbacks):
    tree = ladder_tree(units)
    open_deadline(tree.grade)

    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(deliver_outbox_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        result = deadlines_sweep(at=DUE + datetime.timedelta(days=1))
    assert len(result.escalation_ids) == 1
    assert OutboxMessage.objects.filter(state=OutboxState.PENDING).count() == 2
    # Beat's periodic drain (or the next enqueue) delivers once the broker is back.
    deliver_outbox_task()
    assert len(mail.outbox) == 1


def test_the_badge_counts_unread_notifications_up_to_99_then_says_99_plus(units, client):
    user = ladder_tree(units).people[("grade", "liaison")]
    client.force_login(user)

    def badge() -> str:
        page = client.get("/inbox/").content.decode()
        return re.search(r'data-testid="inbox-link">[^<]*<span class="badge[^"]*">([^<]*)<', page).group(1)

    Notification.objects.bulk_create(Notification(recipient=user, subject=f"#{n}") for n in range(99))
    assert badge() == "99"
    Notification.objects.create(recipient=user, subject="#99")
    assert badge() == "99+"
    Notification.objects.filter(recipient=user).update(read_at=timezone.now())
    assert 'class="badge' not in client.get("/inbox/").content.decode().split('data-testid="inbox-link"')[1][:80]
