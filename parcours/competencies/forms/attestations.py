"""Forms of the attestation: issue date, revocation and re-issue (the rules are the service's)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.pathways.forms.trainee import DateInput

from ..models import Attestation

REASON_MAX = Attestation._meta.get_field("revocation_reason").max_length


class IssueForm(forms.Form):
    issued_on = forms.DateField(
        label=_("Date de délivrance"),
        widget=DateInput(),
        help_text=_(
            "Le jour de la sortie pour un parcours clos ; sinon, au plus tard aujourd'hui."
        ),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Conservé avec l'attestation ; il n'apparaît pas sur la page de vérification."),
        error_messages={"required": _("Indiquez le motif de la révocation.")},
    )


class ReissueForm(RevokeForm):
    issued_on = forms.DateField(
        label=_("Date de la nouvelle attestation"),
        widget=DateInput(),
        help_text=_("Au plus tard aujourd'hui ; le label de l'école doit être valide ce jour-là."),
    )
