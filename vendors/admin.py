from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin, ReadOnlyTabularInline

from .models import Contact, DataCategory, Purpose, Vendor


class ContactInline(ReadOnlyTabularInline):
    model = Contact
    fields = ("name", "role", "email", "phone", "is_primary")


@admin.register(Vendor)
class VendorAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "kind", "status", "risk_tier", "country", "parent", "owner", "updated_at")
    list_filter = (
        "kind",
        "status",
        "risk_tier",
        "is_group_company",
        "handles_special_care_data",
        "handles_data_abroad",
        "has_system_access",
        "data_categories",
    )
    search_fields = ("name", "name_kana", "corporate_number")
    list_select_related = ("owner", "parent")
    date_hierarchy = "created_at"
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "vendor", "role", "email", "phone", "is_primary")
    list_filter = ("is_primary",)
    search_fields = ("name", "email", "phone", "vendor__name")
    list_select_related = ("vendor",)


@admin.register(DataCategory)
class DataCategoryAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "name_en", "name_ja", "is_special_care", "is_active")
    list_filter = ("is_special_care", "is_active")
    search_fields = ("code", "name_en", "name_ja")


@admin.register(Purpose)
class PurposeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "name_en", "name_ja", "is_active")
    list_filter = ("is_active", "data_categories")
    search_fields = ("code", "name_en", "name_ja")
