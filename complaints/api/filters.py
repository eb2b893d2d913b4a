import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiufeng.filters import FilterSet, Int64Filter

from ..models import Channel, ComplaintStatus
from ..tracking import tracking_code_hashes

# Longer than any title or tracking code: a search is words, not a document.
SEARCH_MAX = 200


class ComplaintFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    handling_unit = Int64Filter(field_name="handling_unit")
    subject_unit = Int64Filter(field_name="subject_unit")
    category = Int64Filter(field_name="category")
    # is_overdue: annotated by complaints.selectors.complaint_list_for_user.
    overdue = django_filters.BooleanFilter(field_name="is_overdue", label=_("Overdue"))
    q = django_filters.CharFilter(method="search", max_length=SEARCH_MAX, label=_("Title, text or tracking code"))

    def search(self, queryset, name, value):
        """Title or text containing the words; a tracking code as typed finds its case too."""
        value = value.strip()
        if not value:
            return queryset
        match = Q(title__icontains=value) | Q(content__icontains=value)
        hashes = tracking_code_hashes(value)
        if hashes:
            match |= Q(tracking_code_hash__in=hashes)
        return queryset.filter(match)
