"""The complaints admin: administrators maintain categories and routing; everything else is read-only.

A case changes only through complaints.transitions (its status is a protected FSM field),
so the admin shows cases and their records and links to the staff case page to act.

PetitionerIdentity is deliberately not registered, neither as a model nor as an inline:
the admin cannot log who looked at it, and every read of an identity must go through
complaints.services.identity_read, which writes an IdentityAccess row. The tracking code
hash is never shown either: it is a password-like secret of the petitioner's.
"""

from django import forms
from django.contrib import admin
from django.core.validators import MinValueValidator
from django.http import HttpResponseNotAllowed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import (
    Activity,
    Attachment,
    Category,
    Complaint,
    ExtensionRequest,
    IdentityAccess,
    InternalNote,
    Measure,
    Message,
    Rating,
    RoutingRule,
    TransitionLog,
)

# --- What administrators maintain ------------------------------------------------------


class CategoryForm(movenodeform_factory(Category)):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank means "the parent's, else the default"; zero days would make every case overdue at once.
        for field in ("accept_days", "resolve_days", "review_days"):
            self.fields[field].validators.append(MinValueValidator(1))


@admin.register(Category)
class CategoryAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = CategoryForm
    list_display = ("name", "code", "accept_days", "resolve_days", "review_days", "is_active")
    search_fields = ("name", "code")


NOT_INSIDE_SUBJECT = _(
    "The handling unit cannot be a unit these complaints are about, nor one under it; choose a unit outside."
)


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ("category", "subject_unit", "handling_unit", "note")

    def clean(self):
        cleaned = super().clean()
        subject, handling = cleaned.get("subject_unit"), cleaned.get("handling_unit")
        if handling is not None and not handling.is_active:
            self.add_error("handling_unit", _("This unit is no longer active."))
        # 谁主管谁负责: complaint_accept refuses a handling unit inside the subject's subtree,
        # so such a rule could never be followed.
        elif handling is not None and subject is not None and handling.path.startswith(subject.path):
            self.add_error("handling_unit", NOT_INSIDE_SUBJECT)
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    form = RoutingRuleForm
    list_display = ("category", "subject_unit", "handling_unit", "note")
    list_filter = ("category",)
    list_select_related = ("category", "subject_unit", "handling_unit")
    search_fields = ("category__name", "subject_unit__name", "handling_unit__name")
    autocomplete_fields = ("category", "subject_unit", "handling_unit")
    ordering = ("category__path", "subject_unit__path")


# --- Cases and their records: read-only ------------------------------------------------


class ReadOnlyMixin:
    """Nothing to add, change or delete here: the services write these rows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed historical version without asking has_change_permission:
        # that would revert a case behind the transitions' back.
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return super().history_form_view(request, object_id, version_id, extra_context)


class CaseRecordInline(ReadOnlyMixin, admin.TabularInline):
    """One kind of record on the case page; ``related`` are the foreign keys it shows."""

    extra = 0
    can_delete = False
    show_change_link = False
    related: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)


class TransitionLogInline(CaseRecordInline):
    model = TransitionLog
    fields = ("at", "name", "from_status", "to_status", "actor", "note")
    related = ("actor",)
    ordering = ("at", "pk")


class ActivityInline(CaseRecordInline):
    model = Activity
    fields = ("occurred_at", "kind", "participants", "summary", "recorded_by", "recorded_at")
    related = ("recorded_by",)
    ordering = ("occurred_at", "pk")


class MessageInline(CaseRecordInline):
    model = Message
    fields = ("at", "sender", "body")
    related = ("author",)
    ordering = ("at", "pk")

    @admin.display(description=_("sender"))
    def sender(self, message: Message):
        return _("Petitioner") if message.from_petitioner else message.author


class InternalNoteInline(CaseRecordInline):
    model = InternalNote
    fields = ("at", "author", "body")
    related = ("author",)
    ordering = ("at", "pk")


class AttachmentInline(CaseRecordInline):
    # The file itself is served only by the scoped download view: no storage link here.
    model = Attachment
    fields = ("original_name", "content_type", "size", "message", "activity", "uploaded_by", "uploaded_at")
    related = ("message", "activity", "uploaded_by")
    ordering = ("uploaded_at", "pk")


class MeasureInline(CaseRecordInline):
    model = Measure
    fields = ("review_round", "kind", "description", "amount", "responsible_unit", "due_on", "created_by")
    related = ("responsible_unit", "created_by")
    ordering = ("review_round", "pk")


class ExtensionRequestInline(CaseRecordInline):
    model = ExtensionRequest
    fields = ("stage", "review_round", "days", "reason", "requested_by", "state", "decided_by", "decision_note")
    related = ("requested_by", "decided_by")
    ordering = ("requested_at", "pk")


class RatingInline(CaseRecordInline):
    model = Rating
    fields = ("review_round", "rating", "comment", "at")
    ordering = ("review_round",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "id",
        "title",
        "status",
        "channel",
        "category",
        "subject_unit",
        "handling_unit",
        "anonymous",
        "received_at",
    )
    list_display_links = ("id", "title")
    list_filter = ("status", "channel", "anonymous", "review_round", "finding", "category")
    list_select_related = ("category", "subject_unit", "handling_unit")
    search_fields = ("=id", "title", "subject_unit__name", "handling_unit__name")
    ordering = ("-id",)
    # A million cases: no second COUNT(*) of the whole table on every filtered page.
    show_full_result_count = False
    history_list_display = ("status",)
    # Every field but tracking_code_hash, which is never shown.
    fieldsets = (
        (None, {"fields": ("title", "content", "category", "channel", "occurred_on", "location", "anonymous")}),
        (
            _("Units"),
            {"fields": ("subject_unit", "handling_unit", "transferred_to", "merged_into", "possible_duplicate_of")},
        ),
        (
            _("Where it stands"),
            {"fields": ("status", "review_round", "version", "received_at", "submitted_at", "replied_at")},
        ),
        (_("Decision"), {"fields": ("finding", "disposition", "reply", "approval_requested_by")}),
    )
    inlines = [
        TransitionLogInline,
        ActivityInline,
        MessageInline,
        InternalNoteInline,
        AttachmentInline,
        MeasureInline,
        ExtensionRequestInline,
        RatingInline,
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "category",
                "subject_unit",
                "handling_unit",
                "merged_into",
                "possible_duplicate_of",
                "approval_requested_by",
            )
        )

    def view_on_site(self, obj: Complaint) -> str:
        # The staff case page, where transitions are fired with their checks.
        return reverse("complaints:case-detail", args=[obj.pk])


class CaseRecordMixin:
    """A record of one kind across all cases, to look one up by case number."""

    search_fields = ("=complaint__id",)
    show_full_result_count = False
    raw_id_fields = ("complaint",)


class CaseRecordAdmin(CaseRecordMixin, ReadOnlyHistoryAdmin):
    pass


@admin.register(TransitionLog)
class TransitionLogAdmin(CaseRecordMixin, ReadOnlyMixin, admin.ModelAdmin):
    # Append-only, without history of its own: the row is its own record.
    list_display = ("at", "complaint", "name", "from_status", "to_status", "actor")
    list_filter = ("name", "to_status")
    list_select_related = ("complaint", "actor")
    ordering = ("-at",)


@admin.register(Activity)
class ActivityAdmin(CaseRecordAdmin):
    list_display = ("occurred_at", "complaint", "kind", "participants", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("complaint", "recorded_by")


@admin.register(Message)
class MessageAdmin(CaseRecordAdmin):
    list_display = ("at", "complaint", "author")
    list_select_related = ("complaint", "author")


@admin.register(InternalNote)
class InternalNoteAdmin(CaseRecordAdmin):
    list_display = ("at", "complaint", "author")
    list_select_related = ("complaint", "author")


@admin.register(Attachment)
class AttachmentAdmin(CaseRecordAdmin):
    list_display = ("original_name", "complaint", "content_type", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("complaint", "uploaded_by")
    # No storage link: files are served only by the scoped download view.
    exclude = ("file",)


@admin.register(Measure)
class MeasureAdmin(CaseRecordAdmin):
    list_display = ("complaint", "kind", "amount", "responsible_unit", "due_on", "rectification_item")
    list_filter = ("kind",)
    list_select_related = ("complaint", "responsible_unit", "rectification_item")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(CaseRecordAdmin):
    list_display = ("complaint", "stage", "days", "state", "requested_by", "requested_at", "decided_by")
    list_filter = ("state", "stage")
    list_select_related = ("complaint", "requested_by", "decided_by")


@admin.register(Rating)
class RatingAdmin(CaseRecordAdmin):
    list_display = ("complaint", "review_round", "rating", "at")
    list_filter = ("rating", "review_round")
    list_select_related = ("complaint",)


@admin.register(IdentityAccess)
class IdentityAccessAdmin(CaseRecordMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Who was shown whose identity: for administrators and auditors (who need a staff login)."""

    list_display = ("at", "user", "complaint", "via")
    list_filter = ("via",)
    list_select_related = ("user", "complaint")
    search_fields = ("=complaint__id", "user__username", "user__display_name")
    ordering = ("-at",)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("jiufeng.audit_history") or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return request.user.has_perm("jiufeng.audit_history") or super().has_module_permission(request)
