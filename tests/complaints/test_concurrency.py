import threading

import pytest
from django.db import connection
from django_fsm import TransitionNotAllowed

from complaints import transitions as t
from complaints.models import Complaint, ComplaintStatus, TransitionLog

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_officers_at_once_one_wins_the_other_is_refused(cast, file_complaint):
    complaint, _code = file_complaint(subject_unit=cast.units.school)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def act(name, service, **kwargs):
        try:
            barrier.wait()
            service(complaint_id=complaint.pk, actor=cast.county_officer, **kwargs)
            outcomes[name] = "done"
        except TransitionNotAllowed as refused:
            outcomes[name] = refused
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("accept", t.complaint_accept)),
        threading.Thread(target=act, args=("reject", t.complaint_reject), kwargs={"reason": "不予受理"}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [name for name, outcome in outcomes.items() if outcome == "done"]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, TransitionNotAllowed)]
    assert len(winners) == 1
    assert len(losers) == 1
    complaint.refresh_from_db()
    assert complaint.status == {"accept": ComplaintStatus.ACCEPTED, "reject": ComplaintStatus.REJECTED}[winners[0]]
    assert complaint.version == 1
    names = list(TransitionLog.objects.filter(complaint=complaint).values_list("name", flat=True))
    assert sorted(names) == sorted(["file", winners[0]])
    assert Complaint.history.filter(id=complaint.pk).count() == 2
