"""Search and filters of the trainee list (a GET form: it never writes).

A value that is not valid (a non-numeric id, another school's site, an unknown status) gives a
French message next to its field and is left out; the valid filters still apply.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership

from .. import selectors_lists
from ..models import Enrolment, EnrolmentStatus

#: The referent filter's value for enrolments with no referent.
NO_REFERENT = "aucun"
#: Status filter: every enrolment, whatever its status.
ALL = "tous"


class TraineeFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Nom ou prénom"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("La recherche est limitée à 100 caractères.")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=None,
        required=False,
        empty_label=_("Tous les sites"),
        error_messages={"invalid_choice": _("Ce site n'est pas un site de l'école.")},
    )
    referent = forms.ChoiceField(
        label=_("Référent·e"),
        required=False,
        error_messages={"invalid_choice": _("Ce référent n'est pas un membre de l'école.")},
    )
    phase = forms.ModelChoiceField(
        label=_("Phase en cours"),
        queryset=None,
        required=False,
        empty_label=_("Toutes les phases"),
        error_messages={"invalid_choice": _("Cette phase n'est pas une phase de l'école.")},
    )
    funding_line = forms.ModelChoiceField(
        label=_("Dispositif"),
        queryset=None,
        required=False,
        to_field_name="code",
        empty_label=_("Tous les dispositifs"),
        error_messages={"invalid_choice": _("Ce dispositif n'existe pas.")},
    )
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[
            (EnrolmentStatus.ACTIVE.value, _("En parcours")),
            (EnrolmentStatus.EXITED.value, _("Sorti·e")),
            (ALL, _("Tous")),
        ],
        error_messages={
            "invalid_choice": _("Statut inconnu : choisissez en parcours, sorti·e ou tous.")
        },
    )
    overdue = forms.BooleanField(label=_("En retard seulement"), required=False)

    def __init__(self, *args, membership: Membership, mine: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.mine = mine
        self.fields["site"].queryset = selectors_lists.school_sites(membership)
        self.fields["phase"].queryset = selectors_lists.phase_choices(membership)
        self.fields["funding_line"].queryset = selectors_lists.funding_lines()
        if mine:
            # "My trainees": the referent is the current user; the filter makes no sense.
            del self.fields["referent"]
        else:
            self.fields["referent"].choices = [
                ("", _("Tous les référents")),
                (NO_REFERENT, _("Sans référent")),
                *(
                    (str(m.pk), m.user.get_full_name() or m.user.email)
                    for m in selectors_lists.referents(membership)
                ),
            ]

    # ------------------------------------------------------------------------------ reading

    def _value(self, name: str) -> Any:
        """The cleaned value of a filter, or ``None`` when absent or refused."""
        if not self.is_bound:
            return None
        self.is_valid()  # builds cleaned_data (only the valid fields)
        return self.cleaned_data.get(name) or None

    @property
    def chosen_status(self) -> str:
        return self._value("status") or EnrolmentStatus.ACTIVE.value

    @property
    def is_filtering(self) -> bool:
        """Whether the user narrowed the list (the default status aside)."""
        if not self.is_bound:
            return False
        names = [name for name in self.fields if name != "status"]
        return any(self.data.get(name) for name in names) or self.chosen_status != "active"

    def apply(self, enrolments: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        """``enrolments`` narrowed by the valid filters and the search."""
        if self.mine:
            enrolments = selectors_lists.with_referent(enrolments, self.membership.pk)
        if text := self._value("q"):
            enrolments = selectors_lists.search(enrolments, text)
        if site := self._value("site"):
            enrolments = enrolments.filter(site=site)
        if referent := self._value("referent"):
            referent_id = None if referent == NO_REFERENT else int(referent)
            enrolments = selectors_lists.with_referent(enrolments, referent_id)
        if phase := self._value("phase"):
            enrolments = selectors_lists.in_phase(enrolments, phase)
        if line := self._value("funding_line"):
            enrolments = selectors_lists.under_funding_line(enrolments, line)
        if self.chosen_status != ALL:
            enrolments = enrolments.filter(status=self.chosen_status)
        if self._value("overdue"):
            enrolments = selectors_lists.overdue(enrolments)
        return enrolments

    def audit_filters(self) -> dict[str, Any]:
        """The applied filters as ids and codes, for the audit log (the search text is a name:
        only whether there was one is kept)."""
        filters: dict[str, Any] = {"status": self.chosen_status, "mine": self.mine}
        if self._value("q"):
            filters["search"] = True
        for name in ("site", "phase"):
            if value := self._value(name):
                filters[name] = value.pk
        if value := self._value("referent"):
            filters["referent"] = value
        if value := self._value("funding_line"):
            filters["funding_line"] = value.code
        if self._value("overdue"):
            filters["overdue"] = True
        return filters
