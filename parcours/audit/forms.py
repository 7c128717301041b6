"""The journal's filter form (GET): a refused value gets its French message and filters nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership

from . import selectors
from .labels import FAMILIES

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SYSTEM = "systeme"


class TrailFilterForm(forms.Form):
    du = forms.DateField(
        label=_("Du"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Date de début invalide (jj/mm/aaaa).")},
    )
    au = forms.DateField(
        label=_("au"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Date de fin invalide (jj/mm/aaaa).")},
    )
    auteur = forms.ChoiceField(
        label=_("Auteur"),
        required=False,
        error_messages={"invalid_choice": _("Auteur inconnu.")},
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Toutes les actions")), *[(f.key, f.label) for f in FAMILIES]],
        error_messages={"invalid_choice": _("Famille d'actions inconnue.")},
    )
    type = forms.ChoiceField(
        label=_("Type d'objet"),
        required=False,
        error_messages={"invalid_choice": _("Type d'objet inconnu.")},
    )
    numero = forms.CharField(
        label=_("N°"),
        required=False,
        max_length=64,
        error_messages={"max_length": _("Numéro trop long.")},
    )
    adresse = forms.GenericIPAddressField(
        label=_("Adresse IP"),
        required=False,
        error_messages={"invalid": _("Adresse IP invalide.")},
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auteur"].choices = [
            ("", _("Tous les auteurs")),
            (SYSTEM, _("Système")),
            *[(str(pk), name) for pk, name in selectors.school_authors(membership)],
        ]
        self.fields["type"].choices = [
            ("", _("Tous les types")),
            *selectors.school_object_types(membership),
        ]

    def clean_numero(self) -> str:
        return (self.cleaned_data.get("numero") or "").strip().lstrip("nN°º ").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and end < start:
            self.add_error("au", _("La fin de la période précède son début."))
        return data

    def filters(self) -> selectors.TrailFilters:
        """The valid filters (an invalid form filters nothing: the caller shows no rows)."""
        data = self.cleaned_data
        author = data.get("auteur") or ""
        return selectors.TrailFilters(
            start=data.get("du"),
            end=data.get("au"),
            actor_id=int(author) if author.isdigit() else None,
            system_only=author == SYSTEM,
            family=data.get("action") or "",
            object_type=data.get("type") or "",
            object_id=data.get("numero") or "",
            ip_address=data.get("adresse") or "",
        )

    def as_audit_filters(self) -> dict[str, str]:
        """The filters as given (for the export's own audit event): codes and dates only."""
        return {key: str(value) for key, value in self.cleaned_data.items() if value}
