from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from responsibility.admin import ReadOnlyAdminMixin

from .models import Appraisal, AppraisedUnit, Evaluator, Invitation, QuestionItem, Questionnaire


class QuestionItemInline(admin.TabularInline):
    model = QuestionItem
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(SimpleHistoryAdmin):
    list_display = ("name", "frozen_at", "created_at")
    readonly_fields = ("frozen_at",)
    raw_id_fields = ("created_by",)
    inlines = [QuestionItemInline]


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    # Appraisals change only through the services, which check who may act and when.
    list_display = ("name", "year", "organiser", "state", "opens_at", "closes_at")
    list_filter = ("year", "state")
    list_select_related = ("organiser",)


@admin.register(AppraisedUnit)
class AppraisedUnitAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("appraisal", "unit", "ranking_group", "score", "rank", "grade")
    list_select_related = ("appraisal", "unit")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("appraisal", "appraised_unit", "group", "issued_to", "used_at")
    list_filter = ("group",)
    list_select_related = ("appraisal", "appraised_unit__unit", "issued_to")


@admin.register(Evaluator)
class EvaluatorAdmin(SimpleHistoryAdmin):
    list_display = ("user", "group", "appointed_by", "term_start", "term_end")
    list_filter = ("group",)
    list_select_related = ("user", "appointed_by")
    raw_id_fields = ("user", "appointed_by", "observes")


# Responses and their answers are not offered at all: they are anonymous and never edited.
