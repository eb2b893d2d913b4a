import django_filters
from django.utils.translation import gettext_lazy as _

from jiufeng.filters import FilterSet, Int64Filter

from ..models import Channel, ComplaintStatus
from ..search import WordsFilter
from ..selectors import overdue_cases


class ComplaintFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    handling_unit = Int64Filter(field_name="handling_unit")
    subject_unit = Int64Filter(field_name="subject_unit")
    category = Int64Filter(field_name="category")
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    # Declared last: the search ranks what the other filters leave (complaints.search).
    q = WordsFilter(label=_("Title, text, case number or tracking code"))

    def filter_overdue(self, queryset, name, value):
        # The overdue ones by the condition itself, which PostgreSQL estimates better than the
        # list's is_overdue annotation (complaints.selectors.overdue).
        return overdue_cases(queryset) if value else queryset.filter(is_overdue=False)
