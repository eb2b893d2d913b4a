"""The duplicate hint set on a complaint at filing: a possible 重复件, for triage to merge or not.

Never shown to the petitioner and never acted on automatically: people often complain
twice, or together, about one matter, and an officer decides.
"""

import datetime
import difflib
import hashlib
import operator
import re
import unicodedata
from collections import Counter

from django.db.models.functions import Left
from django.utils import timezone

from responsibility.models import Unit

from .identity import phone_index
from .models import Complaint, ComplaintStatus, PetitionerIdentity

WINDOW = datetime.timedelta(days=30)
SIMILARITY = 0.9
# The newest cases about the unit are compared, not all of them: a re-filed complaint
# follows its first within days (the same phone is matched over the whole window), and
# filing must stay fast (and cheap to attack) even for a unit with thousands of cases a
# month. Measured at a million cases: 200 candidates cost 10 ms a filing, 50 cost 5 ms.
CANDIDATES = 100
# The beginning of a re-filed complaint says what it is; difflib's ratio costs up to
# len(a) * len(b) steps, so each text is cut here, and only the few candidates sharing the
# most letter pairs are given to it (up to 0.12 s each for 1,000 characters).
COMPARED_CHARS = 1000
RATIO_CHECKS = 5
# A ratio of 0.9 implies a letter-pair Dice coefficient of at least this (see _pairs_dice).
PAIRS_FLOOR = 0.6
# Letter pairs of a stored text are counted into this many buckets (Complaint.content_sketch,
# a byte each): enough that unrelated texts of a few hundred letters share few buckets.
SKETCH_BUCKETS = 128
# A sketch starts with the text's length (2 bytes) and digest (8): equal heads, equal texts.
_DIGEST = 8
_HEAD = 2 + _DIGEST
# Cases that are not live matters of their own: a duplicate of them is hinted at their primary
# (merged), or the matter is not ours (rejected, transferred).
IGNORED = [ComplaintStatus.MERGED, ComplaintStatus.REJECTED, ComplaintStatus.TRANSFERRED]
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def _normalised(text: str) -> str:
    """Letters and digits only, full-width folded, lower case: "收费，２００ 元！" == "收费200元"."""
    return _NOT_ALPHANUMERIC.sub("", unicodedata.normalize("NFKC", text).lower())[:COMPARED_CHARS]


def mobile_number(phone: str) -> str | None:
    """The 11 digits of a mainland mobile number however it was typed (+86, spaces, dashes); None otherwise."""
    mobile = _MOBILE.match(re.sub(r"[\s()-]", "", phone))
    return mobile.group(1) if mobile is not None else None


def phone_forms(phone: str) -> list[str]:
    # Filing keeps a phone as typed (less spaces): a mobile may be stored with or without +86.
    number = mobile_number(phone)
    if number is None:
        return [re.sub(r"[\s()-]", "", phone)]
    return [number, f"86{number}", f"+86{number}"]


def phone_indexes(phone: str) -> list[str]:
    """The blind indexes (complaints.identity.phone_index) of every form ``phone`` may be stored in."""
    return [phone_index(form) for form in phone_forms(phone)]


def _pairs(text: str) -> Counter:
    return Counter(map(operator.add, text, text[1:]))


def _pairs_dice(pairs_a: Counter, pairs_b: Counter) -> float:
    """How many adjacent letter pairs two texts share, from 0 to 1 (a multiset Dice coefficient).

    A cheap screen for difflib's ratio: ratio ≥ 0.9 means matching blocks of M ≥ 0.45 T
    letters (T = the two lengths added) in at most T - 2M + 1 blocks, a block of s letters
    sharing s - 1 pairs; so at least 3M - T - 1 ≥ 0.35 T - 1 pairs are shared, and the
    coefficient is at least PAIRS_FLOOR once T ≥ 10 (shorter texts are not screened).
    """
    total = pairs_a.total() + pairs_b.total()
    if total + 2 < 10:
        return 1.0
    return 2 * sum(min(count, pairs_b[pair]) for pair, count in pairs_a.items() if pair in pairs_b) / total


def _bucket(pair: str) -> int:
    # Stable across processes (str hashes are not): the sketch is stored.
    return (ord(pair[0]) * 40503 + ord(pair[1])) % SKETCH_BUCKETS


def content_sketch(content: str) -> bytes | None:
    """What the duplicate screen needs of a stored text without reading it: the normalised
    text's length (2 bytes), a digest of it (8 bytes) and its letter pairs counted into
    SKETCH_BUCKETS buckets (a byte each).

    Pairs falling into one bucket are counted together, so the shared count of two sketches,
    bucket by bucket, is never below the pairs the texts truly share: screening on it drops
    no candidate that the exact Dice screen would keep. None when a bucket would overflow a
    byte (a text of one repeated pair): such a case is screened by its text.
    """
    text = _normalised(content)
    counts = [0] * SKETCH_BUCKETS
    for pair, count in _pairs(text).items():
        counts[_bucket(pair)] += count
    if max(counts) > 255:
        return None
    digest = hashlib.blake2b(text.encode(), digest_size=_DIGEST).digest()
    return len(text).to_bytes(2, "big") + digest + bytes(counts)


def _may_match(sketch: bytes, other: bytes) -> bool:
    """False when the stored ``other`` text cannot pass the length and Dice screens against ``sketch``'s."""
    length, other_length = int.from_bytes(sketch[:2], "big"), int.from_bytes(other[:2], "big")
    if 2 * min(length, other_length) < SIMILARITY * (length + other_length):
        return False
    total = max(length - 1, 0) + max(other_length - 1, 0)
    if total + 2 < 10:
        return True
    return 2 * sum(map(min, sketch[_HEAD:], other[_HEAD:])) >= PAIRS_FLOOR * total


def _screened(content: str, candidates) -> tuple[int | None, list[int]]:
    """(the newest candidate with the same normalised text, else None; the ids of those that may be alike).

    ``candidates``: (id, stored sketch or None), newest first. Steps: a candidate whose
    length and digest equal this text's is the same text, and wins outright; otherwise keep
    the candidates the sketches cannot rule out, and those without a sketch.
    """
    sketch = content_sketch(content)
    if sketch is None:
        return None, [pk for pk, _other in candidates]
    # PostgreSQL's driver gives a memoryview of one-byte strings.
    candidates = [(pk, other if other is None else bytes(other)) for pk, other in candidates]
    same = next((pk for pk, other in candidates if other is not None and other[:_HEAD] == sketch[:_HEAD]), None)
    if same is not None:
        return same, []
    return None, [pk for pk, other in candidates if other is None or _may_match(sketch, other)]


def _most_similar(text: str, candidates) -> int | None:
    """The id of the candidate (id, text) whose text has difflib ratio ≥ SIMILARITY with ``text``, the closest first.

    Steps: drop candidates whose length alone rules them out (ratio ≤ 2 min / T); score
    the rest by shared letter pairs and drop those under PAIRS_FLOOR; compute the ratio
    for the RATIO_CHECKS best, in score order (newest first among equals).
    """
    pairs = _pairs(text)
    scored = []
    for candidate, content in candidates:
        other = _normalised(content)
        if 2 * min(len(text), len(other)) < SIMILARITY * (len(text) + len(other)):
            continue
        dice = _pairs_dice(pairs, _pairs(other))
        if dice >= PAIRS_FLOOR:
            scored.append((dice, candidate, other))
    scored.sort(key=lambda entry: entry[0], reverse=True)
    for _dice, candidate, other in scored[:RATIO_CHECKS]:
        if difflib.SequenceMatcher(None, text, other, autojunk=False).ratio() >= SIMILARITY:
            return candidate
    return None


def _candidates(subject_unit: Unit | None, since: datetime.datetime) -> list[tuple[int, bytes | None]]:
    """(id, sketch) of the CANDIDATES newest live cases about ``subject_unit`` (None: naming no unit) since ``since``.

    complaint_subject_recent (subject_unit, -submitted_at, with these columns) serves it.
    """
    return list(
        Complaint.objects.filter(subject_unit=subject_unit, submitted_at__gte=since)
        .exclude(status__in=IGNORED)
        .order_by("-submitted_at")
        .values_list("id", "content_sketch")[:CANDIDATES]
    )


def complaint_duplicate_id(
    *, subject_unit: Unit | None, content: str, phone: str, now: datetime.datetime | None = None
) -> int | None:
    """The id of a live case this new complaint probably repeats, or None.

    Steps: among cases filed in the 30 days up to ``now`` (rejected, transferred and merged
    ones left out), take the CANDIDATES newest about the same subject unit (or naming no
    unit, like this one); return the newest with the same text once normalised, else rule
    out by their sketches those whose text cannot be alike enough, read the texts of the
    others and return the one whose text, normalised, is the most alike and at least 90 %
    the same; failing that, the newest filed from the same phone,
    about anything.
    """
    since = (now or timezone.now()) - WINDOW
    text = _normalised(content)
    if text:
        # The sketches find the same text, or rule most candidates out; only the texts of those
        # left are read. Only the beginning of each text is compared; punctuation dropped,
        # twice COMPARED_CHARS is plenty.
        same, kept = _screened(content, _candidates(subject_unit, since))
        if same is not None:
            return same
        if kept:
            texts = dict(Complaint.objects.filter(pk__in=kept).values_list("pk", Left("content", 2 * COMPARED_CHARS)))
            if (match := _most_similar(text, [(pk, texts[pk]) for pk in kept])) is not None:
                return match
    if phone:
        return _same_phone(phone, since)
    return None


def _same_phone(phone: str, since: datetime.datetime) -> int | None:
    """The newest live case filed from ``phone`` (however typed) since ``since``; identity_phone_index serves it."""
    return (
        PetitionerIdentity.objects.filter(phone_index__in=phone_indexes(phone), complaint__submitted_at__gte=since)
        .exclude(complaint__status__in=IGNORED)
        .order_by("-complaint__submitted_at")
        .values_list("complaint_id", flat=True)
        .first()
    )
