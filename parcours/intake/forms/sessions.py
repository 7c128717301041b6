"""Forms of the staff screens of information sessions (field-level checks, in French).

The service ``save_info_session`` checks again what concerns the whole session (room of the
site, capacity of the room, capacity below the people already registered).
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations import selectors as premises
from parcours.organisations.models import Membership

from ..models import InfoSession, Referral

DEFAULT_START = datetime.time(9, 30)
DEFAULT_END = datetime.time(11, 30)
DEFAULT_CAPACITY = 12


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class InfoSessionForm(forms.Form):
    """Create or edit a session: a day and two times, turned into ``starts_at``/``ends_at``."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)
    room = forms.ModelChoiceField(
        label=_("Salle"),
        queryset=None,
        required=False,
        empty_label=_("— pas de salle précisée —"),
        help_text=_("Facultatif. La salle doit appartenir au site choisi."),
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(
        label=_("Heure de début"), initial=DEFAULT_START, widget=TimeInput()
    )
    end_time = forms.TimeField(label=_("Heure de fin"), initial=DEFAULT_END, widget=TimeInput())
    capacity = forms.IntegerField(
        label=_("Nombre de places"),
        initial=DEFAULT_CAPACITY,
        min_value=1,
        max_value=500,
        error_messages={
            "min_value": _("Le nombre de places doit être d'au moins 1."),
            "max_value": _("Le nombre de places ne peut pas dépasser 500."),
        },
    )
    public_note = forms.CharField(
        label=_("Information publique"),
        max_length=300,
        required=False,
        help_text=_("Affichée sur l'agenda public (ex. « Se munir d'une pièce d'identité »)."),
    )

    def __init__(self, *args, membership: Membership, session: InfoSession | None = None, **kw):
        if session is not None and "initial" not in kw:
            start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
            kw["initial"] = {
                "site": session.site_id,
                "room": session.room_id,
                "date": start.date(),
                "start_time": start.time().replace(second=0, microsecond=0),
                "end_time": end.time().replace(second=0, microsecond=0),
                "capacity": session.capacity,
                "public_note": session.public_note,
                "cancelled": session.cancelled,
            }
        super().__init__(*args, **kw)
        self.session = session
        self.fields["site"].queryset = premises.sites_for(
            membership, include_closed=session is not None
        ).order_by("name")
        rooms = premises.rooms_for(membership).order_by("site__name", "name")
        if session is None:
            rooms = rooms.active_on(timezone.localdate())
        self.fields["room"].queryset = rooms
        self.fields["room"].label_from_instance = lambda room: (
            _("%(site)s — %(room)s (%(n)d places)")
            % {"site": room.site.name, "room": room.name, "n": room.capacity}
        )
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": 500})
        if session is not None:
            self.fields["cancelled"] = forms.BooleanField(
                label=_("Annuler cette information collective"),
                required=False,
                help_text=_(
                    "Elle disparaît de l'agenda public ; les personnes inscrites sont à prévenir."
                ),
            )

    def clean(self):
        cleaned = super().clean()
        site, room = cleaned.get("site"), cleaned.get("room")
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        capacity = cleaned.get("capacity")
        if site and room and room.site_id != site.pk:
            self.add_error("room", _("Cette salle n'appartient pas au site choisi."))
        elif room and capacity and capacity > room.capacity:
            self.add_error(
                "capacity",
                _("La salle « %(room)s » ne compte que %(n)d places.")
                % {"room": room.name, "n": room.capacity},
            )
        if start and end and end <= start:
            self.add_error("end_time", _("L'heure de fin doit suivre l'heure de début."))
        if day and start and end and end > start:
            starts_at = timezone.make_aware(datetime.datetime.combine(day, start))
            ends_at = timezone.make_aware(datetime.datetime.combine(day, end))
            moved = self.session is None or starts_at != self.session.starts_at.replace(
                second=0, microsecond=0
            )
            if moved and day < timezone.localdate():
                self.add_error("date", _("La date ne peut pas être dans le passé."))
            elif moved and starts_at < timezone.now():
                self.add_error("start_time", _("L'heure de début est déjà passée."))
            cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
        return cleaned

    def service_kwargs(self) -> dict:
        """What ``services.save_info_session`` takes."""
        data = self.cleaned_data
        return {
            "site": data["site"],
            "room": data["room"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "capacity": data["capacity"],
            "public_note": data["public_note"].strip(),
            "cancelled": data.get("cancelled", False),
        }


class RegisterReferralForm(forms.Form):
    """The intake officer registers an existing candidate for a session."""

    referral = forms.ModelChoiceField(
        label=_("Candidat·e"),
        queryset=Referral.objects.none(),
        empty_label=_("— choisir une candidature en cours —"),
        error_messages={
            "invalid_choice": _("Choisissez une candidature en cours de l'école."),
            "required": _("Choisissez une candidature en cours de l'école."),
        },
    )

    def __init__(self, *args, referrals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referral"].queryset = referrals
        self.fields["referral"].label_from_instance = self._label

    @staticmethod
    def _label(referral: Referral) -> str:
        origin = referral.prescriber.name if referral.prescriber_id else _("candidature spontanée")
        return f"{referral.person} — {origin}, {referral.received_on:%d/%m/%Y}"


class AttendanceForm(forms.Form):
    """One checkbox per confirmed registration; the view renders them as a table."""

    present = forms.TypedMultipleChoiceField(
        label=_("Présent·es"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Une des personnes cochées n'est pas inscrite à cette séance.")
        },
    )

    def __init__(self, *args, registrations, **kwargs):
        kwargs.setdefault("initial", {"present": [r.pk for r in registrations if r.attended]})
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        self.fields["present"].choices = [(r.pk, str(r)) for r in registrations]

    def checked_ids(self) -> set[int]:
        """The boxes to show checked: what was posted, else what is stored."""
        if self.is_bound:
            values = self.data.getlist(self.add_prefix("present"))
        else:
            values = self.initial.get("present", [])
        checked = set()
        for value in values:
            try:
                checked.add(int(value))
            except (TypeError, ValueError):
                continue
        return checked

    def rows(self) -> list[tuple]:
        checked = self.checked_ids()
        return [(r, r.pk in checked) for r in self.registrations]
