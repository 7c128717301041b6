"""Forms of the caseloads page: the table's filter (GET) and the bulk reassignment (POST)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcours.fields import ModelMultipleChoiceField
from parcours.organisations.models import Membership

from .. import selectors, selectors_lists
from ..models import Enrolment

#: Value of "no referent" in both forms.
NO_REFERENT = "aucun"
#: Most enrolments reassigned in one action (a page of the table is 100 rows).
MAX_SELECTED = 500


def _name(membership: Membership) -> str:
    return membership.user.get_full_name() or membership.user.email


class CaseloadFilterForm(forms.Form):
    """Narrows the reassignment table to the trainees of one current referent (or none)."""

    referent = forms.ChoiceField(
        label=_("Référent·e actuel·le"),
        required=False,
        error_messages={"invalid_choice": _("Ce référent n'est pas un membre de l'école.")},
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].choices = [
            ("", _("Tous les référents")),
            (NO_REFERENT, _("Sans référent")),
            *((str(m.pk), _name(m)) for m in selectors_lists.referents(membership)),
        ]

    def apply(self, enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        self.is_valid()
        value = self.cleaned_data.get("referent")
        if not value:
            return enrolments
        referent_id = None if value == NO_REFERENT else int(value)
        return selectors_lists.with_referent(enrolments, referent_id)


class ReassignForm(forms.Form):
    enrolments = ModelMultipleChoiceField(
        label=_("Stagiaires à réaffecter"),
        queryset=Enrolment.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Sélectionnez au moins un stagiaire."),
            "invalid_choice": _(
                "Un des parcours sélectionnés est inconnu de l'école : rien n'a été modifié."
            ),
            "invalid_pk_value": _("« %(pk)s » n'est pas un identifiant de parcours valide."),
            "invalid_list": _("Sélectionnez des stagiaires dans la liste."),
        },
    )
    new_referent = forms.ChoiceField(
        label=_("Nouveau référent"),
        error_messages={
            "required": _("Choisissez le nouveau référent (ou « aucun référent »)."),
            "invalid_choice": _("Ce référent n'est pas un formateur référent actif de l'école."),
        },
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        # Every enrolment of the school (closed ones included: the service refuses them with
        # its own message); another school's enrolment is an invalid choice.
        self.fields["enrolments"].queryset = selectors.enrolments_for(membership)
        self.referents = {
            str(m.pk): m for m in selectors_lists.referents(membership, active_only=True)
        }
        self.fields["new_referent"].choices = [
            ("", _("— Choisir —")),
            (NO_REFERENT, _("Aucun référent")),
            *((pk, _name(m)) for pk, m in self.referents.items()),
        ]

    def clean_enrolments(self):
        enrolments = self.cleaned_data["enrolments"]
        if len(enrolments) > MAX_SELECTED:
            raise forms.ValidationError(
                _("Réaffectez au plus %(max)d stagiaires à la fois.") % {"max": MAX_SELECTED}
            )
        return list(enrolments)

    def clean_new_referent(self) -> Membership | None:
        value = self.cleaned_data["new_referent"]
        return None if value == NO_REFERENT else self.referents[value]

    @property
    def selected_ids(self) -> set[str]:
        """The ids ticked in the submitted form (to tick them again when it is refused)."""
        return set(self.data.getlist("enrolments")) if self.is_bound else set()
