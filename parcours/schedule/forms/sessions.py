"""Forms of the session screens: a session (one or every week until a date), its trainees
(one by one, or a whole group: a referent's caseload or a site), its cancellation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parcours.fields import ModelMultipleChoiceField
from parcours.organisations.models import Membership

from .. import selectors_sessions
from ..models import SessionCancelReason


class RoomChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, room) -> str:
        details = [gettext("%(n)d places") % {"n": room.capacity}]
        if room.is_computer_room:
            details.append(gettext("informatique"))
        if room.step_free:
            details.append(gettext("plain-pied"))
        return f"{room.site.name} — {room.name} ({', '.join(details)})"


class TrainerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, membership) -> str:
        return membership.user.get_full_name() or membership.user.email


class TraineesField(ModelMultipleChoiceField):
    def label_from_instance(self, enrolment) -> str:
        person = enrolment.person
        return f"{person.last_name.upper()} {person.first_name}"


def _required(message: str) -> dict:
    return {"required": message, "invalid_choice": message}


class _GroupMixin(forms.Form):
    """Trainees chosen one by one plus, optionally, a whole group in one go."""

    def _init_group(self, membership: Membership) -> None:
        self.membership = membership
        self.fields["trainees"].queryset = selectors_sessions.active_enrolments(membership)
        self.fields["group_referent"].queryset = selectors_sessions.trainers(membership)
        self.fields["group_site"].queryset = selectors_sessions.sites(membership)

    def chosen_enrolments(self) -> list:
        data = self.cleaned_data
        chosen = {e.pk: e for e in data.get("trainees") or []}
        referent, site = data.get("group_referent"), data.get("group_site")
        if referent is not None or site is not None:
            for enrolment in selectors_sessions.group_enrolments(
                self.membership, referent=referent, site=site
            ):
                chosen.setdefault(enrolment.pk, enrolment)
        return list(chosen.values())


def _trainee_fields() -> dict:
    return {
        "trainees": TraineesField(
            label=_("Stagiaires"),
            queryset=None,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": _("Ce·tte stagiaire n'est pas en parcours ici.")},
        ),
        "group_referent": TrainerChoiceField(
            label=_("Ajouter tout le groupe d'un·e référent·e"),
            queryset=None,
            required=False,
            empty_label=_("— aucun groupe —"),
            help_text=_("Tous les stagiaires en parcours suivis par cette personne."),
            error_messages=_required(_("Référent·e inconnu·e.")),
        ),
        "group_site": forms.ModelChoiceField(
            label=_("Ajouter tous les stagiaires d'un site"),
            queryset=None,
            required=False,
            empty_label=_("— aucun site —"),
            error_messages=_required(_("Site inconnu.")),
        ),
    }


class SessionForm(_GroupMixin):
    room = RoomChoiceField(
        label=_("Salle"), queryset=None, error_messages=_required(_("Choisissez une salle."))
    )
    workshop_type = forms.ModelChoiceField(
        label=_("Atelier"),
        queryset=None,
        error_messages=_required(_("Choisissez un atelier.")),
    )
    title = forms.CharField(
        label=_("Intitulé (facultatif)"),
        max_length=200,
        required=False,
        help_text=_("Par défaut, le nom de l'atelier."),
    )
    day = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Indiquez la date."), "invalid": _("Date invalide.")},
    )
    start_time = forms.TimeField(
        label=_("Début"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Indiquez l'heure de début."),
            "invalid": _("Heure invalide."),
        },
    )
    end_time = forms.TimeField(
        label=_("Fin"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Indiquez l'heure de fin."), "invalid": _("Heure invalide.")},
    )
    trainer = TrainerChoiceField(
        label=_("Formateur·rice"),
        queryset=None,
        error_messages=_required(_("Choisissez qui anime la séance.")),
    )
    needs_computers = forms.TypedChoiceField(
        label=_("Ordinateurs"),
        choices=[
            ("", _("Selon l'atelier")),
            ("1", _("Nécessite une salle informatique")),
            ("0", _("Pas besoin d'ordinateurs")),
        ],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
    )
    repeat_until = forms.DateField(
        label=_("Répéter chaque semaine jusqu'au (facultatif)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Crée la même séance chaque semaine, le même jour, jusqu'à cette date incluse "
            "(toutes ou aucune : si une date pose problème, rien n'est créé)."
        ),
        error_messages={"invalid": _("Date invalide.")},
    )
    trainees = _trainee_fields()["trainees"]
    group_referent = _trainee_fields()["group_referent"]
    group_site = _trainee_fields()["group_site"]

    def __init__(self, *args, membership: Membership, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_group(membership)
        self.fields["room"].queryset = selectors_sessions.rooms(membership)
        # An edited session keeps its workshop even if it is no longer in use.
        keep = session.workshop_type_id if session is not None else None
        self.fields["workshop_type"].queryset = selectors_sessions.active_workshop_types(
            membership, keep=keep
        )
        if session is not None:
            for name in ("repeat_until", "trainees", "group_referent", "group_site"):
                del self.fields[name]
        self.fields["trainer"].queryset = selectors_sessions.trainers(membership)

    def clean(self):
        cleaned = super().clean()
        day, until = cleaned.get("day"), cleaned.get("repeat_until")
        if day and until and until < day:
            self.add_error(
                "repeat_until", gettext("La date de fin de la répétition doit suivre la date.")
            )
        room = cleaned.get("room")
        if room is not None:
            cleaned["site"] = room.site
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "site": data["site"],
            "room": data["room"],
            "workshop_type": data["workshop_type"],
            "start_time": data["start_time"],
            "end_time": data["end_time"],
            "trainer": data["trainer"],
            "title": data.get("title", ""),
            "needs_computers": data.get("needs_computers"),
        }


class TraineesAddForm(_GroupMixin):
    trainees = _trainee_fields()["trainees"]
    group_referent = _trainee_fields()["group_referent"]
    group_site = _trainee_fields()["group_site"]

    def __init__(self, *args, membership: Membership, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_group(membership)
        if session is not None:
            self.fields["trainees"].queryset = self.fields["trainees"].queryset.exclude(
                session_places__session=session
            )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.chosen_enrolments():
            raise forms.ValidationError(gettext("Choisissez au moins un·e stagiaire à ajouter."))
        return cleaned


class TraineesRemoveForm(forms.Form):
    trainees = TraineesField(
        label=_("Stagiaires à retirer"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choisissez au moins un·e stagiaire à retirer."),
            "invalid_choice": _("Ce·tte stagiaire ne participe pas à cette séance."),
        },
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainees"].queryset = session.trainees.select_related("person").order_by(
            "person__last_name", "person__first_name"
        )


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif de l'annulation"),
        choices=[("", "—"), *SessionCancelReason.choices],
        error_messages={
            "required": _("Indiquez le motif de l'annulation."),
            "invalid_choice": _("Indiquez le motif de l'annulation."),
        },
    )
