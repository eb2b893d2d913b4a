"""GET /api/v1/history/: the auditors' history search, as the page gives it (audit.views.history)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from . import timeline
from .forms import HistorySearchForm
from .serializers import HistoryPageSerializer
from .timeline import cursor_encode, search_page

# The schema's words, in English as the rest of the schema.
_PARAMETERS = [
    OpenApiParameter("type", OpenApiTypes.STR, description="Object type: a model's label, e.g. complaints.complaint"),
    OpenApiParameter("object", OpenApiTypes.INT64, description="Object number (needs nothing else)"),
    OpenApiParameter("user", OpenApiTypes.STR, description="Username of whoever made the change"),
    OpenApiParameter("since", OpenApiTypes.DATE, description="From this day (local), included"),
    OpenApiParameter("until", OpenApiTypes.DATE, description="To this day (local), included"),
    OpenApiParameter("field", OpenApiTypes.STR, description="A field changed (needs the type)"),
    OpenApiParameter("before", OpenApiTypes.STR, description="Where the previous page ended: take it from next"),
]


class HistorySearchView(APIView):
    """Every change of every tracked object matching the filters, newest first, 50 a page: auditors.

    ``next`` is the older page's address (null at the end): there is no count over all history.
    Filters that do not validate answer 400 {filter: [messages]} and search nothing.
    """

    @extend_schema(parameters=_PARAMETERS, responses=HistoryPageSerializer)
    def get(self, request):
        if not request.user.has_perm("jiufeng.audit_history"):
            raise exceptions.PermissionDenied
        form = HistorySearchForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError({name: list(messages) for name, messages in form.errors.items()})
        rows, after = search_page(filters=form.filters(), after=form.cleaned_data["before"], limit=timeline.PAGE_SIZE)
        older = None
        if after is not None:
            query = request.query_params.copy()
            query["before"] = cursor_encode((after.at, after.id))
            older = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response(HistoryPageSerializer({"next": older, "results": [row.as_api() for row in rows]}).data)
