"""Admin of competencies: the admin edits the shared frameworks' drafts; a published version,
assessments, evidence and attestations are read-only here as everywhere."""

from django.contrib import admin

from .models import (
    Area,
    Assessment,
    Attestation,
    Certification,
    Competency,
    Evidence,
    Framework,
    LevelDescriptor,
    ScaleLevel,
)


class DraftOnlyMixin:
    """Editable while the framework is a draft only."""

    def _framework(self, obj):
        return obj if isinstance(obj, Framework) else getattr(obj, "framework", None)

    def has_change_permission(self, request, obj=None):
        framework = self._framework(obj) if obj is not None else None
        if framework is not None and not framework.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class ScaleLevelInline(DraftOnlyMixin, admin.TabularInline):
    model = ScaleLevel
    extra = 0

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.is_draft


class AreaInline(DraftOnlyMixin, admin.TabularInline):
    model = Area
    extra = 0
    fk_name = "framework"

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.is_draft


@admin.register(Framework)
class FrameworkAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "version", "family", "school", "status", "published_at"]
    list_filter = ["status", "school"]
    search_fields = ["name", "family"]
    # Publishing goes through the product (it checks the framework is complete).
    readonly_fields = ["status", "published_at", "based_on"]
    inlines = [ScaleLevelInline, AreaInline]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # never delete versions in bulk
        return actions


class LevelDescriptorInline(admin.TabularInline):
    model = LevelDescriptor
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.framework.is_draft

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Competency)
class CompetencyAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "title", "area", "framework"]
    list_filter = ["framework"]
    search_fields = ["code", "title"]
    list_select_related = ["area", "framework"]
    inlines = [LevelDescriptorInline]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A competency is added to, or moved within, a draft only.
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.filter(status="draft")
        if db_field.name == "area":
            kwargs["queryset"] = Area.objects.filter(framework__status="draft")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "school", "competency", "kind", "level", "assessed_on", "context"]
    list_filter = ["kind", "context", "school"]
    list_select_related = ["school", "competency"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["id", "school", "assessment", "kind"]
    list_select_related = ["school", "assessment__competency"]


@admin.register(Attestation)
class AttestationAdmin(ReadOnlyAdmin):
    list_display = ["number", "school", "issued_on", "status"]
    list_filter = ["status", "school"]
    search_fields = ["number"]
    exclude = ["token"]


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "school", "kind", "status", "on_date"]
    list_filter = ["kind", "status"]
