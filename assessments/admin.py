from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin, ReadOnlyTabularInline

from .models import Answer, Assessment, Criterion, Finding, Standard


class CriterionInline(ReadOnlyTabularInline):
    model = Criterion
    fields = (
        "position",
        "code",
        "category",
        "weight",
        "is_critical",
        "evidence_required",
        "applies_when",
        "obligation",
    )
    show_change_link = True


class AnswerInline(ReadOnlyTabularInline):
    model = Answer
    fields = ("criterion", "response", "comment", "evidence")
    select_related = ("criterion",)


class FindingInline(ReadOnlyTabularInline):
    model = Finding
    fields = ("description", "severity", "status", "due_on", "owner")
    select_related = ("owner",)
    show_change_link = True


@admin.register(Standard)
class StandardAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "version", "status", "pass_score", "conditional_score", "published_on")
    list_filter = ("status",)
    search_fields = ("name", "notes")
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "code",
        "standard",
        "category",
        "weight",
        "is_critical",
        "evidence_required",
        "applies_when",
        "obligation",
    )
    list_filter = ("standard", "category", "is_critical", "evidence_required", "applies_when", "obligation")
    search_fields = ("code", "question_en", "question_ja")
    list_select_related = ("standard",)


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "__str__",
        "vendor",
        "standard",
        "kind",
        "status",
        "result",
        "score",
        "submitted_at",
        "valid_until",
    )
    list_filter = ("status", "kind", "result", "standard")
    search_fields = ("vendor__name", "decision_note")
    list_select_related = ("vendor", "standard")
    date_hierarchy = "created_at"
    inlines = [AnswerInline, FindingInline]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "assessment", "criterion", "response")
    list_filter = ("response", "criterion__standard", "criterion__category")
    search_fields = ("criterion__code", "assessment__vendor__name", "comment")
    list_select_related = ("assessment__vendor", "criterion")


@admin.register(Finding)
class FindingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "assessment", "criterion", "severity", "status", "due_on", "owner")
    list_filter = ("status", "severity")
    search_fields = ("description", "resolution_note", "assessment__vendor__name")
    list_select_related = ("assessment__vendor", "criterion", "owner")
    date_hierarchy = "due_on"
