from django.contrib import admin

from .models import EligibilityRules, InfoSession, Referral, SpecialPublic


class SpecialPublicInline(admin.TabularInline):
    model = SpecialPublic
    extra = 0


@admin.register(EligibilityRules)
class EligibilityRulesAdmin(admin.ModelAdmin):
    list_display = ["school", "version", "valid_from", "min_age", "max_age"]
    list_filter = ["school"]
    inlines = [SpecialPublicInline]


@admin.register(InfoSession)
class InfoSessionAdmin(admin.ModelAdmin):
    list_display = ["school", "site", "starts_at", "capacity", "cancelled"]
    list_filter = ["school"]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["person", "school", "prescriber", "received_on", "stage", "outcome"]
    list_filter = ["school", "stage", "outcome"]
    list_select_related = ["person", "school", "prescriber"]
