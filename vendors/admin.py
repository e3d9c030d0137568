from django.contrib import admin

from core.admin import ReadOnlyHistoryAdmin

from .models import Contact, DataCategory, Purpose, Vendor


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Vendor)
class VendorAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "kind", "status", "risk_tier", "country", "owner", "updated_at")
    list_filter = ("kind", "status", "risk_tier", "is_group_company", "data_categories")
    search_fields = ("name", "name_kana", "corporate_number")
    list_select_related = ("owner",)
    inlines = [ContactInline]


@admin.register(DataCategory)
class DataCategoryAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "name_en", "name_ja", "is_special_care", "is_active")


@admin.register(Purpose)
class PurposeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("code", "name_en", "name_ja", "is_active")
