"""Forms of the staff pages: they validate what an officer or leader typed; services write.

Every form that changes a case carries the case ``version`` it was made from, so a
decision taken on a page that someone else changed meanwhile is refused.
"""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.forms.models import ModelChoiceIterator
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from jiufeng.forms import BootstrapForm, LongSelect
from responsibility.models import Unit
from responsibility.scoping import units_in_scope

from .. import dashboard
from ..attachments import attachment_limits_text
from ..models import (
    EXTENSION_MAX_DAYS,
    INTAKE_CHANNELS,
    MAX_REVIEW_ROUNDS,
    WAITING_STATUSES,
    ActivityKind,
    Category,
    Channel,
    CheckedItem,
    ComplaintStatus,
    Finding,
    MeasureKind,
    Rating,
    RatingValue,
)
from ..routing import handling_unit_default
from ..search import WordsFilter
from ..selectors import complaint_duplicate_visible, overdue, overdue_cases
from ..services import (
    CONTENT_MAX,
    LOCATION_MAX,
    MESSAGE_MAX,
    NAME_MAX,
    PARTICIPANTS_MAX,
    TITLE_MAX,
    activity_checked_error,
    activity_time_error,
)
from ..transitions import REASON_MAX, TEXT_MAX, TRANSFER_TO_MAX
from .attachments import AttachmentsInput

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MEASURES_MAX = 10


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class _UnitChoices(ModelChoiceIterator):
    """(id, indented name) of each unit, read as values, not as model instances.

    A county's thousand units built as Unit objects for every list page's filter cost more
    than reading them; the choices are only ever written out (LongSelect) and validated
    against the queryset.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, depth, name in self.queryset.values_list("pk", "depth", "name"):
            yield (pk, "\u3000" * (depth - 1) + name)


class UnitChoiceField(forms.ModelChoiceField):
    """Units in tree order, indented by depth, so a long list still shows the tree."""

    widget = LongSelect
    iterator = _UnitChoices


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category: Category) -> str:
        return "\u3000" * (category.depth - 1) + category.name


class AttachmentsField(forms.FileField):
    """Several files in one input, as a list (Django's documented way); none is an empty list.

    Only the upload is read here; the services judge each file by its content and name it
    in their refusal (complaints.attachments.attachments_check), empty files included.
    """

    widget = AttachmentsInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        # Lazy: the limits are settings read, and words translated, when the form is shown.
        kwargs.setdefault("help_text", lazy(attachment_limits_text, str)())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        cleaned = [single(one, initial) for one in (data if isinstance(data, list | tuple) else [data])]
        # Nothing chosen cleans to None, which is not a file.
        return [file for file in cleaned if file]


def _active_units(user):
    return units_in_scope(user).filter(is_active=True).order_by("path")


def _not_in_future(value):
    if value is not None and value > timezone.now():
        raise forms.ValidationError(_("This cannot be in the future."))
    return value


# --- The list's filters -----------------------------------------------------------------

PROGRESS_CHOICES = [
    ("accepted", _("Accepted")),
    ("open", _("Open now")),
    ("due_soon", _("Due within 3 days")),
    ("decided", _("Decided")),
    ("late", _("Decided late")),
    ("reviewed", _("Review asked")),
    # 属实 or 部分属实: the recurring problems' counts (complaints.recurring).
    ("substantiated", _("Substantiated or partly")),
]


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class CategoryFilter(django_filters.ModelChoiceFilter):
    field_class = CategoryChoiceField


class ChoiceFilter(django_filters.ChoiceFilter):
    """A filter of a few choices, written out in Python (LongSelect): a list page shows several,
    and Django's template per option cost the inbox about as much as its cases' rows."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", LongSelect)
        super().__init__(*args, **kwargs)


class ComplaintFilter(django_filters.FilterSet):
    """Filters of the case list; the queryset given is already scoped (complaint_list_for_user)."""

    status = ChoiceFilter(label=_("Status"), choices=ComplaintStatus.choices, empty_label=_("All"))
    category = CategoryFilter(
        label=_("Category"),
        queryset=lambda request: Category.objects.order_by("path"),
        method="filter_category",
        empty_label=_("All"),
        widget=LongSelect,
    )
    unit = UnitFilter(
        label=_("Unit"),
        queryset=lambda request: _active_units(request.user),
        method="filter_unit",
        empty_label=_("All"),
        widget=LongSelect,
    )
    channel = ChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=_("All"))
    rating = ChoiceFilter(
        label=_("Petitioner's rating"), choices=RatingValue.choices, method="filter_rating", empty_label=_("All")
    )
    progress = ChoiceFilter(
        label=_("Progress"), choices=PROGRESS_CHOICES, method="filter_progress", empty_label=_("All")
    )
    finding = ChoiceFilter(label=_("Finding"), choices=Finding.choices, empty_label=_("All"))
    received_from = django_filters.DateFilter(label=_("Received from"), method="filter_received_from", widget=_DATE)
    received_to = django_filters.DateFilter(label=_("Received until"), method="filter_received_to", widget=_DATE)
    # The dashboard's figures count the cases about a unit's subtree: their links say which unit
    # (kept when the list is filtered again, named above the list).
    about = UnitFilter(
        label=_("Unit complained about, and the units below it"),
        queryset=lambda request: units_in_scope(request.user),
        method="filter_about",
        widget=forms.HiddenInput,
    )
    # The recurring problems count the cases about one unit itself (complaints.recurring).
    subject = UnitFilter(
        label=_("Unit complained about"),
        queryset=lambda request: units_in_scope(request.user),
        field_name="subject_unit",
        widget=forms.HiddenInput,
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), widget=forms.CheckboxInput, method="filter_overdue")
    # Declared last: the search ranks what the other filters leave (complaints.search).
    q = WordsFilter(label=_("Search"))

    class Meta:
        form = BootstrapForm

    def filter_category(self, queryset, name, category):
        # A category covers its sub-categories: 乱收费 finds 教育乱收费 too.
        return queryset.filter(category__path__startswith=category.path)

    def filter_unit(self, queryset, name, unit):
        # Cases handled by, or about, the unit or any unit under it.
        return queryset.filter(
            Q(handling_unit__path__startswith=unit.path) | Q(subject_unit__path__startswith=unit.path)
        )

    def filter_rating(self, queryset, name, value):
        # The latest rating given: a case rated 不满意 and then 满意 after its review is 满意.
        later = Rating.objects.filter(complaint=OuterRef("complaint"), review_round__gt=OuterRef("review_round"))
        latest = Rating.objects.filter(~Exists(later), rating=value)
        return queryset.filter(pk__in=latest.values("complaint_id"))

    def filter_about(self, queryset, name, unit):
        return queryset.filter(subject_unit__path__startswith=unit.path)

    def filter_received_from(self, queryset, name, day):
        return queryset.filter(received_at__gte=_day_start(day))

    def filter_received_to(self, queryset, name, day):
        return queryset.filter(received_at__lt=_day_start(day + datetime.timedelta(days=1)))

    def filter_progress(self, queryset, name, value):
        # The dashboard's figures, one by one (complaints.dashboard).
        now = timezone.now()
        conditions = {
            "accepted": Q(handling_unit__isnull=False),
            "open": Q(status__in=WAITING_STATUSES),
            "due_soon": dashboard.due_soon(now),
            "decided": Q(replied_at__isnull=False),
            "reviewed": Q(review_round__gte=1),
            "substantiated": Q(finding__in=[Finding.SUBSTANTIATED, Finding.PARTLY_SUBSTANTIATED]),
        }
        if value == "late":
            return queryset.filter(replied_at__isnull=False).alias(late=dashboard.late_stage(now)).filter(late=True)
        return queryset.filter(conditions[value])

    def filter_overdue(self, queryset, name, value):
        # Unticked means "all", not "only those on time".
        return overdue_cases(queryset) if value else queryset


class InboxFilter(ComplaintFilter):
    """The inbox's filters (selectors.complaint_inbox_for_user): its cases all wait already."""

    def filter_overdue(self, queryset, name, value):
        # Not overdue_cases: the inbox says the waiting statuses already (selectors.overdue).
        return queryset.filter(overdue()) if value else queryset


# --- Forms on a case --------------------------------------------------------------------


class CaseForm(BootstrapForm):
    """A form acting on one case, made from the case as the user saw it."""

    # Also the form's prefix, so that the forms of one page never share a field name.
    prefix_name: str = ""
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    # Set once a record form is saved: it comes back blank, saying so (views.case._record).
    saved = False
    # Where the form posts: a record's own URL, else the transition of this name.
    url_name = ""
    # What the page shows around the form, and what it says once done.
    title = ""
    submit_label = ""
    done = ""

    def __init__(self, *args, complaint, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("version", complaint.version)
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.user = user

    @property
    def action_url(self) -> str:
        if self.url_name:
            return reverse(self.url_name, args=[self.complaint.pk])
        return reverse("complaints:case-transition", args=[self.complaint.pk, self.prefix_name])

    def data_for_service(self) -> dict:
        """The cleaned fields as the service takes them (typed: a Unit, an int, clean text), without the version.

        A transition's form is named by its declaration (complaints.workflow); its prefix is
        the transition's name.
        """
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class AcceptForm(CaseForm):
    prefix_name = "accept"
    title = _("Accept")
    submit_label = _("Accept the case")
    done = _("The case is accepted.")
    handling_unit = UnitChoiceField(label=_("Handling unit"), queryset=Unit.objects.none())
    note = forms.CharField(label=_("Note"), max_length=REASON_MAX, required=False, widget=_textarea(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = _active_units(self.user)
        subject = self.complaint.subject_unit
        if subject is not None:
            # A unit never investigates itself (谁主管谁负责), nor does a unit in it.
            units = units.exclude(pk__in=Unit.objects.inside(subject).values("pk"))
        self.fields["handling_unit"].queryset = units
        if not self.is_bound:
            routed = handling_unit_default(category=self.complaint.category, subject_unit=subject)
            self.fields["handling_unit"].initial = routed.pk if routed is not None else None


class RejectForm(CaseForm):
    prefix_name = "reject"
    title = _("Do not accept")
    submit_label = _("Do not accept")
    done = _("The case is not accepted; the petitioner is told why.")
    reason = forms.CharField(label=_("Reason (the petitioner is told)"), max_length=REASON_MAX, widget=_textarea(3))


class TransferForm(CaseForm):
    prefix_name = "transfer"
    title = _("Transfer")
    submit_label = _("Transfer the case")
    done = _("The case is transferred.")
    to = forms.CharField(label=_("Transfer to (the authority with jurisdiction)"), max_length=TRANSFER_TO_MAX)
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, widget=_textarea(3))


class MergeForm(CaseForm):
    prefix_name = "merge"
    title = _("Merge as a duplicate")
    submit_label = _("Merge into the primary case")
    done = _("The case is merged into the primary case.")
    primary = forms.IntegerField(label=_("Number of the primary case"), min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The hinted duplicate, only when the user may open it: its number alone tells of it.
        if complaint_duplicate_visible(user=self.user, complaint=self.complaint):
            self.fields["primary"].initial = self.complaint.possible_duplicate_of_id

    def data_for_service(self) -> dict:
        return {"primary_id": self.cleaned_data["primary"]}


class StartInvestigationForm(CaseForm):
    prefix_name = "start_investigation"
    title = _("Start the investigation")
    submit_label = _("Start the investigation")
    done = _("The investigation has started.")


class CloseForm(CaseForm):
    prefix_name = "close"
    title = _("Close")
    submit_label = _("Close the case")
    done = _("The case is closed.")


class ApproveForm(CaseForm):
    prefix_name = "approve"
    title = _("Approve")
    submit_label = _("Approve and send the reply")
    done = _("Approved: the reply goes to the petitioner.")
    note = forms.CharField(label=_("Note"), max_length=REASON_MAX, required=False, widget=_textarea(2))


class SendBackForm(CaseForm):
    prefix_name = "send_back"
    title = _("Send back")
    submit_label = _("Send back for more investigation")
    done = _("Sent back to the handling unit.")
    reason = forms.CharField(label=_("What must be done again"), max_length=REASON_MAX, widget=_textarea(3))


class ApproveExtensionForm(ApproveForm):
    prefix_name = "approve_extension"
    title = _("Approve the extension")
    submit_label = _("Approve the extension")
    done = _("The extension is approved; the deadline moves.")


class RefuseExtensionForm(CaseForm):
    prefix_name = "refuse_extension"
    title = _("Refuse the extension")
    submit_label = _("Refuse the extension")
    done = _("The extension is refused.")
    note = forms.CharField(label=_("Why it is refused"), max_length=REASON_MAX, widget=_textarea(2))


class MeasureForm(BootstrapForm):
    """One measure of the disposition (处理结果); an untouched row is no measure."""

    kind = forms.ChoiceField(label=_("Kind of measure"), choices=[("", "—"), *MeasureKind.choices], widget=LongSelect)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=REASON_MAX, required=False)
    responsible_unit = UnitChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due on"), widget=_DATE, required=False)

    def __init__(self, *args, units, unit_choices: list, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["responsible_unit"]
        field.queryset = units
        # Listed once for all the rows (each would read the units again to show them).
        field.choices = unit_choices

    def clean(self):
        data = super().clean()
        kind, unit, due_on = data.get("kind"), data.get("responsible_unit"), data.get("due_on")
        if kind == MeasureKind.REFUND and not data.get("amount"):
            self.add_error("amount", _("A refund needs its amount."))
        # A unit and its due day go together, whatever the measure (a refund: who pays back by
        # when); a rectification needs both.
        due_missing = due_on is None and "due_on" not in self.errors
        if kind == MeasureKind.RECTIFICATION:
            if not data.get("description"):
                self.add_error("description", _("Say what is to be corrected."))
            if not unit:
                self.add_error("responsible_unit", _("A rectification needs the unit responsible for it."))
            if due_missing:
                self.add_error("due_on", _("A rectification needs a due day."))
        elif kind == MeasureKind.RULE:
            if not data.get("description"):
                self.add_error("description", _("Say what the rule is."))
            if not unit:
                self.add_error("responsible_unit", _("A rule needs the unit that adopts it."))
            elif due_missing:
                self.add_error("due_on", _("Give the day by which the responsible unit must do it."))
        elif unit and due_missing:
            self.add_error("due_on", _("Give the day by which the responsible unit must do it."))
        elif due_on is not None and not unit:
            self.add_error("responsible_unit", _("A due date needs the unit responsible for it."))
        if due_on is not None and due_on < timezone.localdate():
            self.add_error("due_on", _("The due day cannot be in the past."))
        return data


def _measure_units(complaint, user):
    """The units that may be made responsible for a measure."""
    # The unit complained about, or the handling unit, or one below them, corrects it.
    below = [unit.path for unit in (complaint.subject_unit, complaint.handling_unit) if unit is not None]
    condition = Q(pk__in=[])
    for path in below:
        condition |= Q(path__startswith=path)
    return _active_units(user).filter(condition)


# Three empty rows without JavaScript; static/js/measures.js adds more, up to the maximum.
# A row proposed before (the case was sent back) may be removed: unticked, it is proposed again.
MeasureFormSet = forms.formset_factory(
    MeasureForm,
    extra=3,
    max_num=MEASURES_MAX,
    absolute_max=MEASURES_MAX,
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)
_MEASURE_FIELDS = ("kind", "description", "amount", "responsible_unit", "due_on")


class DecisionForm(CaseForm):
    """The finding, what was done and the reply to the petitioner, with the measures."""

    finding = forms.ChoiceField(label=_("Finding"), choices=[("", "—"), *Finding.choices], widget=LongSelect)
    disposition = forms.CharField(label=_("Disposition (what was done)"), max_length=TEXT_MAX, widget=_textarea(4))
    reply = forms.CharField(label=_("Reply to the petitioner"), max_length=TEXT_MAX, widget=_textarea(6))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = _measure_units(self.complaint, self.user)
        # Not list(): it asks the iterator's length first, which is a COUNT query of its own.
        unit_choices = [choice for choice in UnitChoiceField(queryset=units).choices]
        # Sent back: the measures proposed for this decision, which a new submission replaces
        # (none before a first submission).
        proposed = []
        if not self.is_bound and self.complaint.approval_requested_by_id is not None:
            proposed = (
                self.complaint.measures.filter(
                    review_round=self.complaint.review_round, rectification_item__isnull=True
                )
                .order_by("pk")
                .values(*_MEASURE_FIELDS)
            )
        self.measure_formset = MeasureFormSet(
            self.data if self.is_bound else None,
            prefix=f"{self.prefix}-measures",
            initial=list(proposed),
            form_kwargs={"units": units, "unit_choices": unit_choices},
        )
        if not self.is_bound:
            # Sent back, or a review: start from what was proposed before.
            for name in ("finding", "disposition", "reply"):
                self.fields[name].initial = getattr(self.complaint, name)

    def is_valid(self) -> bool:
        # Both run, so every error shows at once.
        return all([super().is_valid(), self.measure_formset.is_valid()])

    def data_for_service(self) -> dict:
        measures = [{name: form.cleaned_data[name] for name in _MEASURE_FIELDS} for form in self._filled()]
        return {**super().data_for_service(), "measures": measures}

    def add_service_error(self, error: ValidationError) -> None:
        # The service names a measure by its position among those sent: "measures[2]".
        if hasattr(error, "error_dict"):
            filled = self._filled()
            for field, errors in list(error.error_dict.items()):
                index = field.removeprefix("measures[").removesuffix("]")
                if field.startswith("measures[") and index.isdigit() and 0 < int(index) <= len(filled):
                    filled[int(index) - 1].add_error(None, errors)
                    del error.error_dict[field]
            if not error.error_dict:
                return
        super().add_service_error(error)

    def _filled(self) -> list:
        # An untouched empty row cleans to nothing; a removed one is ticked DELETE.
        return [
            form
            for form in self.measure_formset.forms
            if form.cleaned_data.get("kind") and not form.cleaned_data.get("DELETE")
        ]


class SubmitForApprovalForm(DecisionForm):
    prefix_name = "submit_for_approval"
    title = _("Submit the finding for approval")
    submit_label = _("Submit for approval")
    done = _("Submitted: a leader will approve it or send it back.")


class DecideReviewForm(DecisionForm):
    """The reviewing unit's decision; a leader approves it before the petitioner sees it."""

    prefix_name = "decide_review"
    title = _("Decide the review (复查)")
    submit_label = _("Submit the review decision for approval")
    done = _("Submitted: a leader of the reviewing unit will approve it or send it back.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.complaint.review_round >= MAX_REVIEW_ROUNDS:
            self.title = _("Decide the re-review (复核)")
            self.submit_label = _("Submit the re-review decision for approval")


# --- Records on a case ------------------------------------------------------------------


class _ActivityFields(forms.Form):
    """An activity's fields, checked as the services check them, so the page answers at once."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, widget=LongSelect)
    occurred_at = forms.DateTimeField(label=_("When"), widget=_DATETIME)
    checked = forms.MultipleChoiceField(
        label=_("What was checked (查)"),
        choices=CheckedItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For a 查 (check) activity: tick each item checked."),
    )
    participants = forms.CharField(label=_("Participants"), max_length=PARTICIPANTS_MAX, required=False)
    summary = forms.CharField(label=_("Summary"), max_length=CONTENT_MAX, widget=_textarea(4))

    def clean(self):
        data = super().clean()
        if "occurred_at" in data and (error := activity_time_error(self.complaint, data["occurred_at"])):
            self.add_error("occurred_at", error)
        if "kind" in data and (error := activity_checked_error(data["kind"], data.get("checked"), required=True)):
            self.add_error("checked", error)
        return data


class ActivityForm(_ActivityFields, CaseForm):
    prefix_name = "activity"
    url_name = "complaints:case-activity-add"
    title = _("Record an investigation activity")
    submit_label = _("Record the activity")
    done = _("The activity is recorded.")
    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Now, in local time: a week of visits is recorded as they happen, without typing a date.
        self.fields["occurred_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class ActivityCorrectForm(_ActivityFields, CaseForm):
    """Correct a recorded activity; it opens with the activity as it stands."""

    prefix_name = "correct"
    title = _("Correct the activity")
    submit_label = _("Save the correction")
    done = _("The activity is corrected; the earlier version stays in its history.")
    reason = forms.CharField(label=_("Why it is corrected"), max_length=REASON_MAX, widget=_textarea(2))

    def __init__(self, *args, activity, **kwargs):
        for name in ("kind", "occurred_at", "checked", "participants", "summary"):
            kwargs.setdefault("initial", {}).setdefault(name, getattr(activity, name))
        kwargs["initial"]["occurred_at"] = timezone.localtime(activity.occurred_at)
        super().__init__(*args, **kwargs)
        self.activity = activity

    @property
    def action_url(self) -> str:
        return reverse("complaints:case-activity-correct", args=[self.complaint.pk, self.activity.pk])


class ActivityVoidForm(CaseForm):
    """Void a mistaken activity: it stays on the timeline, struck through, with the reason."""

    prefix_name = "void"
    title = _("Void the activity")
    submit_label = _("Void the activity")
    done = _("The activity is void; it stays on the timeline with your reason.")
    reason = forms.CharField(label=_("Why it is void"), max_length=REASON_MAX, widget=_textarea(2))

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity

    @property
    def action_url(self) -> str:
        return reverse("complaints:case-activity-void", args=[self.complaint.pk, self.activity.pk])


class MessageForm(CaseForm):
    prefix_name = "message"
    url_name = "complaints:case-message-add"
    title = _("Message the petitioner")
    submit_label = _("Send the message")
    done = _("The message is sent; the petitioner sees it on the tracking page.")
    body = forms.CharField(
        label=_("Message to the petitioner"),
        max_length=MESSAGE_MAX,
        widget=_textarea(3),
        help_text=_("The petitioner reads it on the tracking page."),
    )
    attachments = AttachmentsField()


class InternalNoteForm(CaseForm):
    prefix_name = "note"
    url_name = "complaints:case-note-add"
    title = _("Add an internal note")
    submit_label = _("Add the note")
    done = _("The internal note is added.")
    body = forms.CharField(
        label=_("Internal note"),
        max_length=CONTENT_MAX,
        widget=_textarea(3),
        help_text=_("Internal, never shown to the petitioner."),
    )


class ExtensionRequestForm(CaseForm):
    prefix_name = "extension"
    url_name = "complaints:case-extension-request"
    title = _("Request an extension")
    submit_label = _("Request the extension")
    done = _("The extension is requested; a leader decides on it.")
    days = forms.IntegerField(label=_("Days more"), min_value=1, max_value=EXTENSION_MAX_DAYS)
    reason = forms.CharField(label=_("Reason (the petitioner is told)"), max_length=REASON_MAX, widget=_textarea(3))


# --- Intake -----------------------------------------------------------------------------


class IntakeForm(BootstrapForm):
    """A complaint received by another channel than the web, recorded by an officer."""

    FIELDSETS = (
        (_("How it came in"), ("channel", "received_at")),
        (
            _("The complaint"),
            ("category", "subject_unit", "title", "content", "occurred_on", "location", "attachments"),
        ),
        (_("The petitioner"), ("anonymous", "name", "phone", "id_number", "email")),
    )

    channel = forms.ChoiceField(label=_("Channel"), choices=INTAKE_CHANNELS)
    received_at = forms.DateTimeField(label=_("Received at"), widget=_DATETIME, validators=[_not_in_future])
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())
    subject_unit = UnitChoiceField(
        label=_("Unit complained about"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Not known"),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    content = forms.CharField(label=_("What happened"), max_length=CONTENT_MAX, widget=_textarea(6))
    occurred_on = forms.DateField(label=_("Occurred on"), widget=_DATE, required=False)
    location = forms.CharField(label=_("Location"), max_length=LOCATION_MAX, required=False)
    attachments = AttachmentsField()
    anonymous = forms.BooleanField(label=_("The petitioner stays anonymous"), required=False)
    # Needed unless anonymous: the service says which is missing.
    conditionally_required = ("name", "phone")
    name = forms.CharField(label=_("Petitioner's name"), max_length=NAME_MAX, required=False)
    phone = forms.CharField(label=_("Petitioner's phone"), max_length=32, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("path")
        self.fields["subject_unit"].queryset = _active_units(user)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def fieldsets(self) -> list:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]
