"""Admin of outcomes: the network's definitions of a successful exit, edited by the admin.

Saving a network definition writes its next *version* through
``services_definitions.save_definition_version`` (validated, audited) instead of updating the
row; earlier versions are read-only and nothing is ever deleted here. The schools' own
definitions are edited by their direction in the product, not here.

The headline choices are listed read-only (no personal data). Exits and their follow-ups are
not registered: they hold personal data and are written only by the product's services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services_definitions
from .models import HeadlineDefinition, OutcomeDefinition

EDITABLE = ["name", "description", "rules", "excluded", "valid_from", "valid_until"]


class OutcomeDefinitionForm(forms.ModelForm):
    class Meta:
        model = OutcomeDefinition
        fields = EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("rules", "excluded"):  # the service says what is missing, in French
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            rules, excluded = services_definitions.clean_definition(
                name=cleaned.get("name", ""),
                rules=cleaned.get("rules"),
                excluded=cleaned.get("excluded") or [],
                valid_from=cleaned.get("valid_from"),
                valid_until=cleaned.get("valid_until"),
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        cleaned["rules"], cleaned["excluded"] = rules, excluded
        return cleaned

    def _post_clean(self):
        # The row is never updated in place: the service writes a new one (no model
        # validation against the existing row's unique constraints).
        pass


class NetworkDefinitionFilter(admin.SimpleListFilter):
    title = "version"
    parameter_name = "en_vigueur"

    def lookups(self, request, model_admin):
        return [("1", "en vigueur"), ("0", "versions précédentes")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(is_current=self.value() == "1")
        return queryset


@admin.register(OutcomeDefinition)
class OutcomeDefinitionAdmin(admin.ModelAdmin):
    form = OutcomeDefinitionForm
    list_display = ["name", "code", "version", "is_current", "valid_from", "valid_until"]
    list_filter = [NetworkDefinitionFilter]
    search_fields = ["name", "code"]
    ordering = ["name", "-version"]
    readonly_fields = ["code", "version", "is_current", "created_by", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(school__isnull=True)

    def get_fields(self, request, obj=None):
        if obj is None:
            return EDITABLE
        return [*EDITABLE, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_current:
            return [*EDITABLE, *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_current:
            return False  # an earlier version is history
        return super().has_change_permission(request, obj) and request.user.is_superuser

    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # versions are kept (headline choices and past figures refer to them)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services_definitions.save_definition_version(
            request.user,
            code=obj.code if change else None,
            name=data["name"],
            description=data["description"],
            rules=data["rules"],
            excluded=data["excluded"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
        # The admin's messages and redirections then name the new version.
        obj.__dict__.update(
            {f.attname: getattr(saved, f.attname) for f in OutcomeDefinition._meta.concrete_fields}
        )
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # no related objects; the service wrote everything


@admin.register(HeadlineDefinition)
class HeadlineDefinitionAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "definition", "chosen_at"]
    list_filter = ["school", "year"]
    list_select_related = ["school", "definition"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
