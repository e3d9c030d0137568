from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin

from .models import Clause, ProtectionContract, ReentrustmentConsent


@admin.register(Clause)
class ClauseAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "title_en", "title_ja", "obligation", "required_for_display", "is_active")
    list_filter = ("obligation", "is_active")
    search_fields = ("code", "title_en", "title_ja")

    @admin.display(description=Clause._meta.get_field("required_for").verbose_name)
    def required_for_display(self, clause):
        return clause.get_required_for_display()


@admin.register(ProtectionContract)
class ProtectionContractAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "reference",
        "title",
        "vendor",
        "kind",
        "status",
        "starts_on",
        "ends_on",
        "decision_on",
        "auto_renews",
        "owner",
    )
    list_filter = ("status", "kind", "auto_renews", "permits_reentrustment", "clauses")
    search_fields = ("reference", "title", "vendor__name", "vendor__corporate_number")
    list_select_related = ("vendor", "owner")
    date_hierarchy = "ends_on"


@admin.register(ReentrustmentConsent)
class ReentrustmentConsentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "parent", "subcontractor", "consented_on", "consented_by")
    list_filter = ("consented_on", "data_categories")
    search_fields = ("parent__name", "subcontractor__name", "scope_of_work")
    list_select_related = ("parent", "subcontractor", "consented_by")
    date_hierarchy = "consented_on"
