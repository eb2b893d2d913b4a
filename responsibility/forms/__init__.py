"""Forms of the responsibility pages; ``initial_from_query`` prefills one from a link."""

from collections.abc import Iterable

from django.http import QueryDict

# A prefilled text is a suggestion to edit: longer than any field takes, it is cut.
PREFILL_MAX = 2000


def initial_from_query(query: QueryDict, names: Iterable[str], *, lists: Iterable[str] = ()) -> dict:
    """A form's initial values from the query of a link that opens it (a dashboard warning's action).

    Only ``names`` and ``lists`` (read as lists: a multiple choice) are read, each cut to PREFILL_MAX
    characters. Nothing is validated here: the form validates what is posted, and a value
    that is not one of a field's choices (a unit out of scope) is simply not selected.
    """
    initial = {}
    for name in names:
        if query.get(name):
            initial[name] = query[name][:PREFILL_MAX]
    for name in lists:
        values = [value[:PREFILL_MAX] for value in query.getlist(name)]
        if values:
            initial[name] = values
    return initial
