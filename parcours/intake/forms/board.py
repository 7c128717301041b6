"""Filters of the pipeline board (a GET form: it never writes)."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Partner, PrescriberType, Site
from parcours.pathways.models import EnrolmentFundingLine, FundingLine

from ..models import Decision, Outcome, Referral

#: The "prescriber type" choice for applications without a prescriber.
SPONTANEOUS = "spontaneous"

_DATE_MESSAGES = {"invalid": _("Saisissez une date valide, au format jj/mm/aaaa.")}


def _date_widget() -> forms.DateInput:
    return forms.DateInput(
        format="%d/%m/%Y",
        attrs={"placeholder": _("jj/mm/aaaa"), "inputmode": "numeric", "autocomplete": "off"},
    )


class BoardFilterForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("Tous les sites"),
        error_messages={"invalid_choice": _("Ce site n'est pas un site de l'école.")},
        help_text=_("Site d'entrée de l'admission ou du parcours."),
    )
    prescriber = forms.ModelChoiceField(
        label=_("Prescripteur"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("Tous les prescripteurs"),
        error_messages={"invalid_choice": _("Ce prescripteur n'est pas un partenaire de l'école.")},
    )
    prescriber_type = forms.ChoiceField(
        label=_("Type de prescripteur"),
        required=False,
        choices=[
            ("", _("Tous les types")),
            *PrescriberType.choices,
            (SPONTANEOUS, _("Candidature spontanée")),
        ],
        error_messages={"invalid_choice": _("Ce type de prescripteur n'existe pas.")},
    )
    funding_line = forms.ModelChoiceField(
        label=_("Dispositif"),
        queryset=FundingLine.objects.none(),
        required=False,
        empty_label=_("Tous les dispositifs"),
        error_messages={"invalid_choice": _("Ce dispositif n'existe pas.")},
        help_text=_("Indiqué à l'orientation ou attaché au parcours."),
    )
    received_from = forms.DateField(
        label=_("Reçue à partir du"),
        required=False,
        widget=_date_widget(),
        error_messages=_DATE_MESSAGES,
        help_text=_("jj/mm/aaaa"),
    )
    received_to = forms.DateField(
        label=_("Reçue jusqu'au"),
        required=False,
        widget=_date_widget(),
        error_messages=_DATE_MESSAGES,
        help_text=_("jj/mm/aaaa"),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["site"].queryset = Site.objects.filter(school=school).order_by("name")
        self.fields["prescriber"].queryset = Partner.objects.filter(
            school=school, is_prescriber=True
        ).order_by("name")
        self.fields["funding_line"].queryset = FundingLine.objects.filter(active=True).order_by(
            "name"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and end < start:
            self.add_error(
                "received_to",
                _("La date de fin (%(end)s) précède la date de début (%(start)s).")
                % {"end": end.strftime("%d/%m/%Y"), "start": start.strftime("%d/%m/%Y")},
            )
        return cleaned

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def apply(self, referrals: QuerySet[Referral]) -> QuerySet[Referral]:
        """``referrals`` narrowed by the valid filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        if site := data.get("site"):
            admitted_site = Subquery(
                Decision.objects.filter(referral=OuterRef("pk"), outcome=Outcome.ADMITTED)
                .order_by("-decided_on", "-id")
                .values("site_id")[:1]
            )
            referrals = referrals.annotate(admitted_site=admitted_site).filter(
                Q(enrolment__site=site) | Q(admitted_site=site.pk)
            )
        if prescriber := data.get("prescriber"):
            referrals = referrals.filter(prescriber=prescriber)
        if prescriber_type := data.get("prescriber_type"):
            if prescriber_type == SPONTANEOUS:
                referrals = referrals.filter(prescriber__isnull=True)
            else:
                referrals = referrals.filter(prescriber__prescriber_type=prescriber_type)
        if funding_line := data.get("funding_line"):
            on_enrolment = EnrolmentFundingLine.objects.filter(
                enrolment__referral=OuterRef("pk"), funding_line=funding_line
            )
            referrals = referrals.filter(Q(funding_line=funding_line) | Exists(on_enrolment))
        if start := data.get("received_from"):
            referrals = referrals.filter(received_on__gte=start)
        if end := data.get("received_to"):
            referrals = referrals.filter(received_on__lte=end)
        return referrals
