"""Pages of long lists whose exact size would cost more than the page itself.

An exact count of a county's million cases reads every row in scope (half a second and
more) for a figure nobody pages through. These paginators count up to COUNT_CAP rows, or to
the end of the page after the one asked for when that is further: below that the count is
exact; beyond it ``count_capped`` is true and ``count`` means "more than this many". The
next link stays right on every page, and deeper pages still open (the counting window
follows the page asked for), each costing about what reading down to it costs anyway.

Counting costs in proportion to the cap: 1,000 (twenty pages of fifty) keeps a count under
a broad search or filter at tens of milliseconds on a million cases; 10,000 cost several
hundred (bench/complaint_pages.py).
"""

from contextlib import suppress

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

COUNT_CAP = 1_000
# Past any list's end: the counting window (page + 1 pages of rows) must stay a number the
# database takes as a LIMIT (64 bits), whatever page number a request names.
PAGE_NUMBER_MAX = 1_000_000_000


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set by whoever asks for the last page: they pay for finding where it is.
        self.exact = False
        self.count_capped = False
        self._number = 1

    def validate_number(self, number):
        # Before the count, which reaches one page past the one asked for.
        with suppress(TypeError, ValueError):
            self._number = min(max(int(number), 1), PAGE_NUMBER_MAX)
        return super().validate_number(number)

    @cached_property
    def count(self) -> int:
        if self.exact:
            return super().count
        window = max(self.cap, (self._number + 1) * self.per_page)
        if isinstance(self.object_list, QuerySet):
            # A LIMITed subquery: the database stops reading at window + 1 rows. In no order and
            # with no columns, so it stops at the first rows found rather than sort them all.
            counted = self.object_list.order_by().values("pk")[: window + 1].count()
        else:
            counted = len(self.object_list[: window + 1])
        self.count_capped = counted > window
        return min(counted, window)


class CappedPageNumberPagination(PageNumberPagination):
    """API.md's ``{"count", "next", "previous", "results"}``, plus ``count_capped``: ``count`` is a lower bound."""

    django_paginator_class = CappedPaginator

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            paginator.exact = True
        return super().get_page_number(request, paginator)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "true: there are more than `count` results (counting stopped there)",
        }
        return schema
