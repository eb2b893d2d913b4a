import django_filters
from django.utils.translation import gettext_lazy as _

from jiufeng.filters import FilterSet, Int64Filter

from ..models import Channel, ComplaintStatus
from ..search import WordsFilter


class ComplaintFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    handling_unit = Int64Filter(field_name="handling_unit")
    subject_unit = Int64Filter(field_name="subject_unit")
    category = Int64Filter(field_name="category")
    # is_overdue: annotated by complaints.selectors.complaint_list_for_user.
    overdue = django_filters.BooleanFilter(field_name="is_overdue", label=_("Overdue"))
    # Declared last: the search ranks what the other filters leave (complaints.search).
    q = WordsFilter(label=_("Title, text, case number or tracking code"))
