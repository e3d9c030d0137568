from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin, ReadOnlyTabularInline

from .models import (
    ConsentRecord,
    Country,
    ForeignTransfer,
    JointUseArrangement,
    PeriodicCheck,
    ProvisionRecord,
)

# What a transfer's __str__ shows (vendor, country): joined wherever a row prints its transfer.
TRANSFER_RELATED = ("transfer__vendor", "transfer__country")


class PeriodicCheckInline(ReadOnlyTabularInline):
    model = PeriodicCheck
    fields = ("checked_on", "checked_by", "result", "correction_due_on")
    select_related = ("checked_by",)
    show_change_link = True


class ConsentRecordInline(ReadOnlyTabularInline):
    model = ConsentRecord
    fields = ("obtained_on", "whose_consent", "method", "country_unidentified")
    show_change_link = True


class ProvisionRecordInline(ReadOnlyTabularInline):
    model = ProvisionRecord
    fields = ("provided_on", "kind", "recipient_name", "retain_until")
    show_change_link = True


@admin.register(Country)
class CountryAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "code",
        "name_en",
        "name_ja",
        "ppc_equivalent",
        "has_protection_system",
        "eu_adequacy",
        "apec_cbpr",
        "information_reviewed_on",
        "is_active",
    )
    list_filter = ("ppc_equivalent", "has_protection_system", "eu_adequacy", "apec_cbpr", "is_active")
    search_fields = ("code", "name_en", "name_ja")


@admin.register(ForeignTransfer)
class ForeignTransferAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "vendor", "country", "relationship", "route", "status", "started_on")
    list_filter = ("status", "route", "relationship", "country")
    search_fields = ("vendor__name", "country__name_en", "country__name_ja", "description")
    list_select_related = ("vendor", "country")
    date_hierarchy = "started_on"
    inlines = [PeriodicCheckInline, ConsentRecordInline, ProvisionRecordInline]


@admin.register(PeriodicCheck)
class PeriodicCheckAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "transfer", "checked_on", "result", "checked_by", "correction_due_on")
    list_filter = ("result",)
    search_fields = ("transfer__vendor__name", "implementation_status", "impediments")
    list_select_related = (*TRANSFER_RELATED, "checked_by")
    date_hierarchy = "checked_on"


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyHistoryAdmin):
    list_display = ("__str__", "transfer", "information_given_on", "obtained_on", "method")
    list_filter = ("country_unidentified", "recipient_measures_unknown")
    search_fields = ("whose_consent", "method", "transfer__vendor__name")
    list_select_related = TRANSFER_RELATED
    date_hierarchy = "obtained_on"


@admin.register(JointUseArrangement)
class JointUseArrangementAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "title",
        "version",
        "status",
        "responsible_party_name",
        "notice_published_on",
        "effective_on",
        "notify_without_delay",
    )
    list_filter = ("status", "change_basis", "notify_without_delay")
    search_fields = ("title", "responsible_party_name", "data_items", "scope_description")


@admin.register(ProvisionRecord)
class ProvisionRecordAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "recipient_name",
        "kind",
        "provided_on",
        "last_provided_on",
        "consent_obtained",
        "transfer",
        "retain_until",
    )
    list_filter = ("kind", "consent_obtained", "retain_until")
    search_fields = ("recipient_name", "recipient_address", "data_items", "individuals_description")
    list_select_related = TRANSFER_RELATED
    date_hierarchy = "provided_on"
