from django.contrib import admin

from .models import FundingAgreement, Membership, Network, Partner, Room, School, Site


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "network", "label_valid_from", "label_valid_until"]
    list_filter = ["network"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "commune", "surface_m2", "opened_on", "closed_on"]
    list_filter = ["school__network"]
    search_fields = ["name", "commune", "school__name"]
    list_select_related = ["school"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "kind", "capacity", "computers", "step_free"]
    list_filter = ["kind", "step_free"]
    search_fields = ["name", "site__name"]
    list_select_related = ["site"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "role", "active_from", "active_until"]
    list_filter = ["role", "school"]
    search_fields = ["user__email", "user__last_name", "school__name"]
    list_select_related = ["user", "school"]
    autocomplete_fields = ["user"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "is_prescriber", "prescriber_type", "is_funder"]
    list_filter = ["is_prescriber", "is_funder", "prescriber_type"]
    search_fields = ["name"]


@admin.register(FundingAgreement)
class FundingAgreementAdmin(admin.ModelAdmin):
    list_display = ["funder", "school", "year", "amount_eur", "purpose"]
    list_filter = ["year"]
    list_select_related = ["funder", "school"]
