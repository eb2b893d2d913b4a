"""The lists' search (case list, inbox, API list, case ledger): words in a case's title or text.

Chinese has no spaces, so a word is found as its characters: every case's title and text
are kept, on PostgreSQL, as a ``tsvector`` of character bigrams with their positions
(``Complaint.search_document``), and a search for 推诿 asks for the bigram ``推诿``, one for
乱收费 for ``乱收 <-> 收费`` (adjacent), under a GIN index. Any substring of two characters or
more is found, as ``icontains`` found it, without a dictionary deciding what a word is
(jieba would file 乱收费 as one word, and a search for 收费 would miss it). One character is
a prefix query: each run of letters ends with its last character as a token of its own.

Steps of a search (``complaint_search``):
1. The words are lowered and cut into runs of letters, digits and CJK characters; whatever
   else (punctuation, tsquery operators, quotes, spaces) only separates runs. Every run must
   be found, in the title or the text.
2. A tracking code, a case number or ``#id`` typed whole finds that case alone, first; bare
   digits find the case of that id first, and the texts holding them.
3. The matches are ranked, title hits above text hits (the title's bigrams weigh A,
   ``ts_rank``), then in the list's own order. Ranking reads every ranked row: only the
   first ``RANKED`` matches in the list's order (newest first; the inbox: due first) are
   ranked and listed, so a word that a tenth of a million
   cases hold still answers at once; the list's capped count then says "more than 1,000",
   and another filter narrows it.

The document is a stored generated column: PostgreSQL computes it on every insert and on
every update of the title or the text, whichever way the row is written (a filing, the
admin, bench SQL), so it can never lag. The functions it is computed with are schema, created
by the migration from ``FUNCTIONS`` below; the GIN index too (SQLite has neither GIN nor
``tsvector``). SQLite (``make run``) stores nothing and searches with ``icontains``, ranking
title hits first the same way: it reads every row, which a demo's few hundred cases allow.
"""

import re

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Case, F, FloatField, Func, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from jiufeng.pagination import COUNT_CAP

from .tracking import tracking_code_hashes

# As many characters as a title and more: a search is words, not a document (API.md's `q`).
WORDS_MAX = 200
# One past the lists' capped count, so that a search with more matches says so.
RANKED = COUNT_CAP + 1

# What a word is made of, the same in Python and in PostgreSQL's regular expressions: ASCII
# letters and digits, Latin, Cyrillic, kana, CJK (with extension A and compatibility
# ideographs) and Hangul. Only these reach a tsvector or a tsquery: nothing else is ever
# read as an operator or a quote.
LETTERS = r"0-9a-z\u00c0-\u024f\u0400-\u04ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af"
_RUN = re.compile(f"[{LETTERS}]+")

# PostgreSQL functions the generated column calls (migration 0024): IMMUTABLE, as a generated
# column and an index ask. Regular expressions only, so PostgreSQL inlines them (about 40 µs for
# a 100-character text; a loop over the characters with generate_series cost 1.7-2.6 ms):
# 1. everything but LETTERS becomes a space: runs of letters remain;
# 2. each letter is doubled and each run's first letter dropped: 乱收费 -> 乱收收费费;
# 3. a space after every two letters: 乱收 收费 费, the bigrams and the run's last letter alone;
# 4. the parser of the 'simple' configuration reads each of those as one token, in order: the
#    positions that make 乱收 <-> 收费 adjacent.
FUNCTIONS = {
    "complaint_search_bigrams(body text)": rf"""
        RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
          SELECT to_tsvector('simple', regexp_replace(regexp_replace(regexp_replace(
            regexp_replace(lower(body), '[^{LETTERS}]+', ' ', 'g'),
            '([^ ])', '\1\1', 'g'), '(^| )[^ ]', '\1', 'g'), '([^ ]{{2}})', '\1 ', 'g'))
        $$""",  # noqa: S608
    # Its own search_path: pg_restore runs with an empty one, and would not find the function
    # above while it rebuilds the generated column (found by tests/faults' backup and restore).
    "complaint_search_document(title text, content text)": """
        RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path FROM CURRENT AS $$
          SELECT setweight(complaint_search_bigrams(title), 'A') || complaint_search_bigrams(content)
        $$""",
}
# Who uses it: complaint_search, for the document's @@ (a bitmap of the few matches of a rare word).
INDEX = "complaint_search_document"


class SearchDocument(Func):
    """The title's and text's bigrams (complaint_search_document); nothing on SQLite, which searches the text itself."""

    function = "complaint_search_document"
    output_field = SearchVectorField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


class BigramQuery(SearchQuery):
    """A tsquery written by ``_tsquery``, taken as is: no parser or dictionary between it and the document."""

    template = "%(expressions)s::tsquery"


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def functions_create(apps, schema_editor):
    if _postgresql(schema_editor):
        for signature, body in FUNCTIONS.items():
            schema_editor.execute(f"CREATE OR REPLACE FUNCTION {signature} {body}")


def functions_drop(apps, schema_editor):
    if _postgresql(schema_editor):
        for signature in reversed(FUNCTIONS):
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {signature}")


def index_create(apps, schema_editor):
    # The DDL is written out for the same reason as complaints.search_trigram's: a GIN index in
    # the model's state would be created on SQLite too, which has no GIN.
    if _postgresql(schema_editor):
        table = schema_editor.quote_name(apps.get_model("complaints", "Complaint")._meta.db_table)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(INDEX)} ON {table} USING gin (search_document)"
        )


def index_drop(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(INDEX)}")


def search_runs(words: str) -> list[str]:
    """The runs of letters in the words, lowered: what is searched (step 1)."""
    return _RUN.findall(words.lower())


def _tsquery(runs: list[str]) -> str:
    # Each run's bigrams adjacent, a lone character as a prefix; every run required.
    phrases = [
        " <-> ".join(f"'{run[i : i + 2]}'" for i in range(len(run) - 1)) if len(run) > 1 else f"'{run}':*"
        for run in runs
    ]
    return " & ".join(f"({phrase})" for phrase in phrases)


def _named_case(words: str) -> Q | None:
    """The case a tracking code, a case number or ``#id`` names, typed whole (step 2)."""
    hashes = tracking_code_hashes(words)
    if hashes:
        return Q(tracking_code_hash__in=hashes)
    if re.fullmatch(r"\d{4}-\d{6}", words):
        return Q(case_number=words)
    number = words.removeprefix("#")
    if number.isdigit() and len(number) < 10:
        return Q(pk=int(number))
    return None


def complaint_search(queryset: QuerySet, *, words: str, window: bool = True) -> QuerySet:
    """The cases of ``queryset`` the words find, best first (the steps are in the module's docstring).

    ``queryset`` is already scoped (visible_to) and filtered: the search only narrows it, and
    its order breaks the ties of the rank. ``window`` False: every match is ranked, not the
    first RANKED only (a ledger holds all its filters select, in the page's order).
    """
    words = words.strip()
    runs = search_runs(words)
    named = _named_case(words)
    if connection.vendor == "postgresql":
        query = BigramQuery(_tsquery(runs))
        match = Q(search_document=query)
        rank = SearchRank(F("search_document"), query)
    else:
        # No runs (only through a direct call: WordsField refuses them) finds nothing, as on PostgreSQL.
        match = Q() if runs else Q(pk__in=[])
        for run in runs:
            match &= Q(title__icontains=run) | Q(content__icontains=run)
        rank = Case(*[When(title__icontains=run, then=Value(1.0)) for run in runs], default=Value(0.0))
    if named is not None:
        # A code, a number or #id names its case: only bare digits are also words (380元 is not an id).
        match = match | named if words.isdigit() else named
        rank = Case(When(named, then=Value(1e9)), default=rank, output_field=FloatField())
    order = ("-search_rank", *queryset.query.order_by)
    if not window:
        return queryset.filter(match).annotate(search_rank=rank).order_by(*order)
    # The first matches in the list's own order: walked along its index (newest first, or the
    # inbox's due first) where a word is common, read from the GIN index where it is rare.
    # Read here, once: as a subquery it was read again by the count and by the page, and
    # PostgreSQL, unable to tell how few rows it gives, scanned every case of a wide scope to
    # join them to it (the county's count of a common word: 46 ms at 100,000 cases).
    ranked = list(queryset.filter(match).values_list("pk", flat=True)[:RANKED])
    return queryset.filter(pk__in=ranked).annotate(search_rank=rank).order_by(*order)


class WordsField(forms.CharField):
    """Words to search: at least one letter, digit or Chinese character, or a case's number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", WORDS_MAX)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not search_runs(value):
            raise forms.ValidationError(
                _("Search with at least one letter, digit or Chinese character."), code="no_words"
            )


class WordsFilter(django_filters.CharFilter):
    """``q`` of the case list, the inbox, the API list and the case ledger: complaint_search.

    Words with no letter, digit or Chinese character are refused by its field (WordsField).
    """

    field_class = WordsField
    # A filterset whose rows become a file sets this False on its own copy (complaints.ledgers).
    window = True

    def filter(self, qs, value):
        if not value:
            return qs
        return complaint_search(qs, words=value, window=self.window)
