from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import EmailValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from audit.models.chain import Chained, unsealed_index
from jiufeng.encrypted import EncryptedCharField
from jiufeng.history import HistoricalRecords
from responsibility.models import Unit
from responsibility.scoping import (
    covers_every_unit,
    own_unit_paths,
    own_unit_paths_within,
    scope_holds_a_root,
    unit_ids_in_scope,
)

from ..identity import phone_index
from ..search import SearchDocument
from .categories import Category


class Channel(models.TextChoices):
    """来源渠道: how the complaint reached us (DOMAIN.md)."""

    WEB = "web", _("Web")
    HOTLINE = "hotline", _("Hotline")  # 电话
    LETTER = "letter", _("Letter")  # 来信
    VISIT = "visit", _("Visit in person")  # 来访
    MAILBOX = "mailbox", _("Leader's mailbox")  # 领导信箱
    MEDIA = "media", _("Media")  # 媒体
    REFERRAL = "referral", _("Referral from above")  # 上级交办
    SUPERVISOR = "supervisor", _("Conduct supervisor's observation")  # 行风监督员


# What staff record from other channels: the web form is the public's, observations the supervisors' own (evaluations).
INTAKE_CHANNELS = [(value, label) for value, label in Channel.choices if value not in (Channel.WEB, Channel.SUPERVISOR)]


class ComplaintStatus(models.TextChoices):
    """The statuses of API.md, exactly."""

    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    INVESTIGATING = "investigating", _("Under investigation")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    RESOLVED = "resolved", _("Resolved")
    UNDER_REVIEW = "under_review", _("Under review")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not accepted")
    TRANSFERRED = "transferred", _("Transferred")
    MERGED = "merged", _("Merged into another case")


class Finding(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")  # 属实
    PARTLY_SUBSTANTIATED = "partly_substantiated", _("Partly substantiated")  # 部分属实
    UNSUBSTANTIATED = "unsubstantiated", _("Unsubstantiated")  # 不属实
    UNVERIFIABLE = "unverifiable", _("Unverifiable")  # 无法核实


# A case no longer open: it can be neither a merge's primary nor be acted on further.
ENDED_STATUSES = {ComplaintStatus.CLOSED, ComplaintStatus.REJECTED, ComplaintStatus.TRANSFERRED, ComplaintStatus.MERGED}
# A stage with a running deadline that an extension can move.
EXTENDABLE_STATUSES = [
    ComplaintStatus.SUBMITTED,
    ComplaintStatus.ACCEPTED,
    ComplaintStatus.INVESTIGATING,
    ComplaintStatus.PENDING_APPROVAL,
    ComplaintStatus.UNDER_REVIEW,
]
# A case someone must still act on (intake, investigation, approval, review).
WAITING_STATUSES = [status.value for status in EXTENDABLE_STATUSES]
# 复查 then 复核: no third round (信访工作条例).
MAX_REVIEW_ROUNDS = 2


def triage_unit(subject_unit: Unit | None) -> Unit:
    """The unit that decides on intake: the root of the subject unit's tree (the county 纠风办).

    The 纠风办 works on the whole county (its remit is the root), so the root is where
    intake deadlines are owed and whose staff accept, reject, transfer and merge. A
    complaint naming no unit ("I don't know") goes to the first root.
    """
    if subject_unit is None:
        return Unit.objects.get_first_root_node()
    if subject_unit.depth == 1:
        return subject_unit
    return Unit.objects.get(path=subject_unit.path[: Unit.steplen])


# The petitioner's words for a status in a review round (Complaint.status_label); others as ComplaintStatus.
_REVIEW_STATUS_LABELS = {
    (ComplaintStatus.UNDER_REVIEW, 2): _("Under re-review"),
    (ComplaintStatus.PENDING_APPROVAL, 1): _("Review decision awaiting approval"),
    (ComplaintStatus.PENDING_APPROVAL, 2): _("Re-review decision awaiting approval"),
    (ComplaintStatus.RESOLVED, 1): _("Review decided"),
    (ComplaintStatus.RESOLVED, 2): _("Re-review decided: final"),
    (ComplaintStatus.CLOSED, 2): _("Closed after re-review: not accepted again"),
}


def _about_own_units(user) -> Q:
    """Complaints about a unit the user is in (responsibility.scoping.own_unit_paths): kept from them."""
    own = own_unit_paths(user)
    if not own:
        return Q(pk__in=[])
    return Q(subject_unit__in=Unit.objects.filter(path__in=own).values("pk"))


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ComplaintQuerySet":
        """Complaints whose handling unit or subject unit is in the user's scope, less those about a unit they are in.

        A complaint naming no unit and not yet assigned a handling unit has no unit to
        scope it by: it is seen by whoever may act on a root unit (the county 纠风办
        triages it, auditors read it). Staff in the unit complained about (a post in it or
        below it: responsibility.scoping.own_unit_paths) never see the complaint, whatever
        else their scope gives (被投诉单位不得自查, docs/domain-rules.md). Both conditions are
        subqueries of this one query: the units are read with the scope.
        """
        if covers_every_unit(user):
            # Whatever units a case names, they are in scope; and it names none only if it
            # is unassigned, which a root's scope sees. No condition but the subject-unit rule.
            return self.exclude(_about_own_units(user))
        in_scope = unit_ids_in_scope(user)
        # The reviewing unit (复查/复核) reads the case it decides, even when it supervises the
        # handling unit without being above it in the tree.
        visible = Q(handling_unit__in=in_scope) | Q(subject_unit__in=in_scope) | Q(reviewing_unit__in=in_scope)
        if scope_holds_a_root(user):
            visible |= Q(handling_unit__isnull=True, subject_unit__isnull=True)
        return self.filter(visible).exclude(_about_own_units(user))

    def about_subtree_visible_to(self, user, unit: Unit) -> "ComplaintQuerySet":
        """The complaints about ``unit`` or a unit below it that the user may see (the dashboard's).

        Caller has checked that ``unit`` is in the user's scope: a scope is made of whole
        subtrees, so every unit below it is too, and of visible_to's conditions only the
        subject-unit rule is left to apply. Saying so keeps the query to the subject unit's
        columns, which the dashboard's index (complaint_dashboard) holds.
        """
        cases = self.filter(subject_unit__in=Unit.objects.subtree_of(unit).values("pk"))
        own = own_unit_paths_within(user, unit)
        return cases.exclude(subject_unit__in=Unit.objects.filter(path__in=own).values("pk")) if own else cases


class Complaint(FSMModelMixin, models.Model):
    """A case (投诉): the text of the complaint and where it stands; never who filed it."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="complaints"
    )
    # Null: the petitioner did not know which unit ("I don't know"). Both units are indexed
    # by complaint_subject_recent / complaint_handling_recent, which lead with them: an index
    # of their own would only cost every filing and acceptance.
    subject_unit = models.ForeignKey(
        Unit,
        verbose_name=_("subject unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
        db_index=False,
    )
    # Set on acceptance (谁主管谁负责: never the subject unit itself).
    handling_unit = models.ForeignKey(
        Unit,
        verbose_name=_("handling unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_handled",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("what happened"))
    occurred_on = models.DateField(_("occurred on"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # Deadlines count from receipt: a letter received last week, entered today, is due from last week.
    received_at = models.DateTimeField(_("received at"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.SUBMITTED,
        protected=True,
    )
    # 0: never reviewed; 1: 复查 asked; 2: 复核 asked.
    review_round = models.PositiveSmallIntegerField(_("review round"), default=0)
    # Who decides the round asked last: the unit one level above the unit whose decision is
    # reviewed (complaints.routing.reviewing_unit_for; docs/domain-rules.md). Set when the
    # petitioner asks, kept after the decision; the handling unit stays as it was. Indexed by
    # complaint_reviewing_recent, which leads with it.
    reviewing_unit = models.ForeignKey(
        Unit,
        verbose_name=_("reviewing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_reviewed",
        db_index=False,
    )
    # No unit exists above the unit whose decision is reviewed: the reviewing unit (the root)
    # decides through its leadership, not its staff.
    review_by_leaders = models.BooleanField(_("reviewed by the leadership"), default=False)
    finding = models.CharField(_("finding"), max_length=24, choices=Finding.choices, blank=True)
    disposition = models.TextField(_("disposition"), blank=True)
    reply = models.TextField(_("reply to the petitioner"), blank=True)
    # When the petitioner was last answered (approval or review decision): the review window counts from it.
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # Who submitted the finding for approval: never the one who approves it.
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted for approval by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Where a case outside our jurisdiction was sent (an outside authority, by name).
    transferred_to = models.CharField(_("transferred to"), max_length=128, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # Filed by the same phone, or with near-identical text about the same unit, within 30 days:
    # a hint for triage (merge?), set at filing; never shown to the petitioner.
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The public case number (案件编号), e.g. 2026-000040: the year of receipt and the case's place
    # among that year's cases (CaseNumberCounter). Printed on the reply letter and shown to
    # petitioners and staff instead of the internal id, which says how many cases the whole
    # system holds and is no public reference. Set once at filing, never changed.
    case_number = models.CharField(_("case number"), max_length=16, unique=True, editable=False)
    # HMAC of the tracking code (complaints.tracking): a leaked row reveals no working code.
    # Unique by complaint_tracking_code_hash (a constraint, not unique=True, which would add a
    # second index for LIKE lookups on PostgreSQL; the hash is only ever compared whole).
    tracking_code_hash = models.CharField(_("tracking code hash"), max_length=64)
    # Bumped by every transition: a form or API call made on an older version is refused (409).
    version = models.PositiveIntegerField(_("version"), default=0)
    # When the running stage is due: the earliest open deadline of the case in the ledger, None
    # when none runs. A copy kept by the services that open, meet or move the case's deadlines,
    # so the inbox sorts and the overdue filter reads one column instead of the ledger per row.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, editable=False)

    # The text's length and letter pairs in a few bytes (complaints.duplicates.content_sketch),
    # set at filing: the duplicate screen rules out most candidates without reading their text.
    # None for cases filed before it existed (and pathological texts): their text is read.
    content_sketch = models.BinaryField(_("content sketch"), null=True, editable=False)
    # The title's and text's character bigrams, for the lists' search (complaints.search): computed
    # by PostgreSQL on every write of the title or text, under a GIN index (migration 0024,
    # outside this state: SQLite has no GIN); NULL on SQLite, which searches the text itself.
    search_document = models.GeneratedField(
        expression=SearchDocument(F("title"), F("content")),
        output_field=SearchVectorField(null=True),
        db_persist=True,
        editable=False,
    )

    objects = ComplaintQuerySet.as_manager()
    # due_at is derived from the ledger, which keeps its own history; content_sketch and
    # search_document from the text; case_number never changes after filing.
    history = HistoricalRecords(excluded_fields=["due_at", "content_sketch", "search_document", "case_number"])

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            # Scoped lists (visible_to) filter on either unit, newest first.
            models.Index(fields=["handling_unit", "-submitted_at"], name="complaint_handling_recent"),
            # It also holds what the duplicate screen reads of each filing's 100 candidates
            # (complaints.duplicates._candidates), which it answers from the index alone
            # (PostgreSQL: INCLUDE; elsewhere a plain index): 0.5-0.7 ms of PostgreSQL a
            # filing reading the rows, 0.25 from the index.
            models.Index(
                fields=["subject_unit", "-submitted_at"],
                name="complaint_subject_recent",
                include=["id", "status", "content_sketch"],
            ),
            # Scoped lists (visible_to) and the inbox read the cases a unit reviews; few have one.
            models.Index(
                fields=["reviewing_unit", "-submitted_at"],
                name="complaint_reviewing_recent",
                condition=Q(reviewing_unit__isnull=False),
            ),
            # A county-wide list (the 纠风办, leaders, auditors): walked in order, no sort of every row.
            models.Index(fields=["-submitted_at", "-id"], name="complaint_recent"),
            # Open311's requests.json: a date range of receipt, newest first.
            models.Index(fields=["-received_at", "-id"], name="complaint_received"),
            # The inbox (selectors.complaint_inbox_for_user): only cases someone must still act on,
            # walked in order of due time; the lists' overdue filter reads its start.
            models.Index(
                fields=["due_at", "id"], name="complaint_waiting_due", condition=Q(status__in=WAITING_STATUSES)
            ),
            # The findings a leader approves (selectors.complaint_findings_to_approve_for_user), walked
            # in order of due time: a few of the waiting cases, due later than most.
            models.Index(
                fields=["due_at", "id"],
                name="complaint_pending_approval_due",
                condition=Q(status=ComplaintStatus.PENDING_APPROVAL),
            ),
            # The inbox's count (complaints.views.staff, capped at 1,000): which waiting cases are
            # in the user's scope and theirs to act on, answered from the index alone (its
            # columns are all the count reads) instead of a scan of every case. The due time
            # after the status: a subtree's overdue inbox is found in the index (a bureau's 230
            # overdue cases at a million were picked out of the county's 11,540 one by one).
            models.Index(
                fields=["handling_unit", "status", "due_at", "subject_unit"],
                name="complaint_waiting_units",
                condition=Q(status__in=WAITING_STATUSES),
            ),
            # The lists' search has a GIN index on search_document, PostgreSQL only (complaints.search,
            # migration 0024), and the admin's search a trigram index on the title (0006), both
            # outside this state: SQLite has no GIN.
            # The leader's dashboard (complaints.dashboard): a subtree's cases of a period, counted
            # from the index alone (every column its figures read), a tenth of the table's size.
            models.Index(
                fields=["subject_unit", "received_at"],
                name="complaint_dashboard",
                include=[
                    "id",
                    "status",
                    "channel",
                    "category",
                    "handling_unit",
                    "replied_at",
                    "finding",
                    "review_round",
                    "due_at",
                ],
            ),
            # The dashboard's figures of cases open now (complaints.dashboard.now_counts), per subject
            # unit, from the index alone: the waiting cases, not every case of the subtree.
            models.Index(
                fields=["subject_unit"],
                name="complaint_waiting_subject",
                include=["id", "status", "due_at"],
                condition=Q(status__in=WAITING_STATUSES),
            ),
            # close_expired_cases_task: replies whose review window may have passed.
            models.Index(fields=["replied_at"], name="complaint_resolved_replied", condition=Q(status="resolved")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tracking_code_hash"], name="complaint_tracking_code_hash"),
            models.CheckConstraint(condition=Q(review_round__lte=MAX_REVIEW_ROUNDS), name="complaint_review_rounds"),
            models.CheckConstraint(
                condition=~Q(status=ComplaintStatus.MERGED) | Q(merged_into__isnull=False),
                name="complaint_merged_has_primary",
            ),
            models.CheckConstraint(
                condition=Q(handling_unit__isnull=True) | ~Q(handling_unit=F("subject_unit")),
                name="complaint_not_handled_by_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    # Django's get_FOO_display rebuilds a dict of every choice, hashing each lazy label (a
    # translation lookup apiece), on every call: lists show both on each of fifty rows.
    def get_status_display(self) -> str:
        return str(ComplaintStatus(self.status).label)

    def get_channel_display(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def deciding_unit(self) -> Unit | None:
        """The unit whose decision the case waits for or last had: the reviewing unit once a review is asked."""
        return self.reviewing_unit if self.review_round else self.handling_unit

    @property
    def decision_released(self) -> bool:
        """The finding and reply on the case are those the petitioner was sent, not a proposal.

        A proposal awaiting approval, or one sent back, is never the petitioner's. Under review
        the reply under review stays theirs until the reviewing unit proposes its own (asking
        for a review clears approval_requested_by; proposing sets it).
        """
        if self.replied_at is None:
            return False
        if self.status in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED):
            return True
        return self.status == ComplaintStatus.UNDER_REVIEW and self.approval_requested_by_id is None

    @property
    def decision_round(self) -> int:
        """The review round whose decision the finding and reply hold (0: the first finding).

        Just after a review is asked they still hold the decision under review, a round before.
        """
        if self.status == ComplaintStatus.UNDER_REVIEW and self.approval_requested_by_id is None:
            return self.review_round - 1
        return self.review_round

    def status_label(self) -> str:
        """The status as the petitioner reads it, naming the review round (复查, then 复核).

        The one place the tracking page, its API and the staff badge take the words from.
        """
        return str(_REVIEW_STATUS_LABELS.get((self.status, self.review_round)) or ComplaintStatus(self.status).label)

    # Fired only by complaints.transitions, one service per transition.

    @transition(field=status, source=ComplaintStatus.SUBMITTED, target=ComplaintStatus.ACCEPTED)
    def accept(self) -> None: ...

    @transition(field=status, source=ComplaintStatus.SUBMITTED, target=ComplaintStatus.REJECTED)
    def reject(self) -> None: ...

    @transition(field=status, source=ComplaintStatus.SUBMITTED, target=ComplaintStatus.TRANSFERRED)
    def transfer(self) -> None: ...

    @transition(field=status, source=ComplaintStatus.SUBMITTED, target=ComplaintStatus.MERGED)
    def merge(self) -> None: ...

    @transition(field=status, source=ComplaintStatus.ACCEPTED, target=ComplaintStatus.INVESTIGATING)
    def start_investigation(self) -> None: ...

    @transition(field=status, source=ComplaintStatus.INVESTIGATING, target=ComplaintStatus.PENDING_APPROVAL)
    def submit_for_approval(self) -> None: ...

    @transition(field=status, source=ComplaintStatus.PENDING_APPROVAL, target=ComplaintStatus.RESOLVED)
    def approve(self) -> None: ...

    # A first finding goes back to investigation, a review decision back to the review.
    @transition(
        field=status,
        source=ComplaintStatus.PENDING_APPROVAL,
        target=RETURN_VALUE(ComplaintStatus.INVESTIGATING, ComplaintStatus.UNDER_REVIEW),
    )
    def send_back(self) -> str:
        return ComplaintStatus.UNDER_REVIEW if self.review_round else ComplaintStatus.INVESTIGATING

    @transition(field=status, source=ComplaintStatus.RESOLVED, target=ComplaintStatus.UNDER_REVIEW)
    def review(self) -> None: ...

    # The review decision goes to a leader of the reviewing unit, as a first finding does.
    @transition(field=status, source=ComplaintStatus.UNDER_REVIEW, target=ComplaintStatus.PENDING_APPROVAL)
    def decide_review(self) -> None: ...

    @transition(field=status, source=ComplaintStatus.RESOLVED, target=ComplaintStatus.CLOSED)
    def close(self) -> None: ...

    # 延期: decided on an ExtensionRequest while the case stays where it is (target None).
    @transition(field=status, source=EXTENDABLE_STATUSES, target=None)
    def approve_extension(self) -> None: ...

    @transition(field=status, source=EXTENDABLE_STATUSES, target=None)
    def refuse_extension(self) -> None: ...


class CaseNumberCounter(models.Model):
    """The last public case number given in a year: one row per year, claimed by each filing.

    A row claimed by a conditional update (complaints.services.case_number_next) rather than
    a database sequence: the same code runs on PostgreSQL and SQLite, a year starts again at
    1 without DDL, and numbers are consecutive except where a filing fails after taking its
    number (a sequence would leave gaps just the same).
    """

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def case_number_format(*, year: int, number: int) -> str:
    """2026-000040: the year and the number within it, six digits (more once a year passes 999,999)."""
    return f"{year}-{number:06d}"


class PetitionerIdentity(models.Model):
    """Who filed a real-name complaint, kept apart from the case text (never on Complaint).

    Encrypted at rest, history rows too (jiufeng.encrypted): no lookup matches these
    columns; the phone is found by ``phone_index``. Emptied, history included, once a closed
    case has passed the retention period (complaints.retention), when ``purged_at`` is set.
    """

    complaint = models.OneToOneField(
        Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="identity"
    )
    name = EncryptedCharField(_("name"), max_length=64)
    phone = EncryptedCharField(_("phone"), max_length=32)
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True)
    email = EncryptedCharField(_("email"), max_length=254, blank=True, validators=[EmailValidator()])
    # HMAC of the phone as stored (complaints.identity.phone_index), kept by save(); not in history:
    # a purge empties it, which a sealed history row could not follow.
    phone_index = models.CharField(_("phone index"), max_length=64, blank=True, editable=False)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["phone_index"])

    class Meta:
        verbose_name = _("petitioner identity")
        verbose_name_plural = _("petitioner identities")
        # The duplicate hint at filing (the same phone within 30 days) and the phone sign-in.
        indexes = [models.Index(fields=["phone_index"], name="identity_phone_index")]

    def __str__(self) -> str:
        return f"#{self.complaint_id}"

    def save(self, *args, **kwargs) -> None:
        self.phone_index = "" if self.purged_at else phone_index(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_index"}
        super().save(*args, **kwargs)


class TransitionLog(Chained):
    """Who moved a case, when, from where to where and why: append-only and hash-chained."""

    # Indexed by transitionlog_complaint_at, which leads with it.
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="transition_logs",
        db_index=False,
    )
    name = models.CharField(_("transition"), max_length=32)
    from_status = models.CharField(_("from"), max_length=20, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=ComplaintStatus.choices)
    # Null: the system or the petitioner (who acts by tracking code, without an account).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # The unit the transition gave the case to (the handling unit on acceptance): the
    # timeline names it as it was then, whatever the case's unit is now.
    unit = models.ForeignKey(
        "responsibility.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        indexes = [
            models.Index(fields=["complaint", "at"], name="transitionlog_complaint_at"),
            unsealed_index(table="complaints.TransitionLog"),
        ]

    def __str__(self) -> str:
        return f"#{self.complaint_id} {self.name}"
