"""Admin of the partner companies, their contacts and the relationship history.

Read-mostly: the screens (and their services, which validate the SIRET and audit every write)
are the way to change these records; the admin is for looking things up across schools.
"""

from django.contrib import admin
from django.db import models

from .models import Company, CompanyEvent, Contact


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Company)
class CompanyAdmin(_ReadOnlyAdmin):
    list_display = [
        "name",
        "school",
        "siret",
        "naf_code",
        "sector",
        "size",
        "commune",
        "archived_at",
    ]
    list_filter = ["school", "sector", "size", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "siret", "commune", "naf_code"]
    list_select_related = ["school"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Contact)
class ContactAdmin(_ReadOnlyAdmin):
    list_display = [
        "last_name",
        "first_name",
        "company",
        "job_title",
        "is_tutor",
        "is_hr",
        "is_signatory",
        "active",
    ]
    list_filter = ["school", "is_tutor", "is_hr", "is_signatory", "active"]
    search_fields = ["last_name", "first_name", "email", "company__name"]
    list_select_related = ["company"]


@admin.register(CompanyEvent)
class CompanyEventAdmin(_ReadOnlyAdmin):
    list_display = ["happened_on", "kind", "company", "contact", "recorded_by"]
    list_filter = ["school", "kind"]
    search_fields = ["company__name"]
    date_hierarchy = "happened_on"
    list_select_related = ["company", "contact", "recorded_by"]
