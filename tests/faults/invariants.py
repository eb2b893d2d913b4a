"""What every stored complaint has, checked in any database through manage.py (a subprocess
pointed at it): nothing half-written survives a fault."""

import json

from .processes import manage

# Run by `manage.py shell -c`; prints one JSON object.
_CHECK = """
import json
from django.contrib.contenttypes.models import ContentType
from complaints.models import Complaint, TransitionLog
from responsibility.models import Deadline

cases = Complaint.objects.all()
with_deadline = Deadline.objects.filter(content_type=ContentType.objects.get_for_model(Complaint)).values("object_id")
history = Complaint.history.model.objects.values("id")
filed = TransitionLog.objects.filter(name="file").values("complaint_id")
print(json.dumps({
    "complaints": cases.count(),
    "without_deadline": cases.exclude(pk__in=with_deadline).count(),
    "without_history": cases.exclude(pk__in=history).count(),
    "without_filing_log": cases.exclude(pk__in=filed).count(),
    "without_tracking_code": cases.filter(tracking_code_hash="").count(),
    "without_due_at": cases.filter(due_at__isnull=True).count(),
    "titles": sorted(cases.values_list("title", flat=True)),
}))
"""

BROKEN = ("without_deadline", "without_history", "without_filing_log", "without_tracking_code", "without_due_at")


def complaints_checked(env: dict[str, str]) -> dict:
    """Counts of the database's complaints and of those missing a part; their titles."""
    result = manage("shell", "-c", _CHECK, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
