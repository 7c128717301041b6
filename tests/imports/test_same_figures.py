"""An imported trainee counts in the key figures, outcome rates and trainee list exactly as the
same trainee entered and exited through the web's services."""

from __future__ import annotations

import datetime

import pytest

from parcours.imports.services import import_enrolments
from parcours.intake import services as intake_services
from parcours.intake.models import Channel, Outcome
from parcours.organisations.models import Role
from parcours.outcomes import services_exits
from parcours.pathways.models import Enrolment, FundingLine
from parcours.reporting.indicators import key_figures
from parcours.reporting.periods import Period
from tests.factories import MembershipFactory, PartnerFactory, SiteFactory

from .conftest import csv_bytes, row

pytestmark = pytest.mark.django_db

TRAINEES = [
    row(
        code_qpv="QN06301M",
        plie="oui",
        niveau_diplome="3",
        date_entree="06/09/2021",
        date_sortie="18/03/2022",
        sortie_type="cdd",
        sortie_duree_mois="6",
    ),
    row(
        nom="Benali",
        prenom="Karim",
        sexe="M",
        date_naissance="02/11/2004",
        email="",
        telephone="",
        prescripteur_type="spontane",
        prescripteur="",
        date_entree="10/01/2022",
        date_sortie="",
        sortie_type="",
    ),
]


def _day(text: str) -> datetime.date:
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


def _through_the_web(setup, intake, director) -> None:
    partner = PartnerFactory(school=setup.school, name="Mission Locale Test")
    plie = FundingLine.objects.get(code="plie")
    for values in TRAINEES:
        entry = _day(values["date_entree"])
        spontaneous = values["prescripteur_type"] == "spontane"
        referral = intake_services.create_referral(
            membership=intake,
            person_fields={
                "last_name": values["nom"],
                "first_name": values["prenom"],
                "birth_date": _day(values["date_naissance"]),
                "gender": values["sexe"],
            },
            channel=Channel.SPONTANEOUS if spontaneous else Channel.PHONE,
            prescriber=None if spontaneous else partner,
            received_on=entry - datetime.timedelta(days=20),
            qpv_code=values["code_qpv"],
        )
        intake_services.decide(
            membership=director,
            referral=referral,
            outcome=Outcome.ADMITTED,
            decided_on=entry - datetime.timedelta(days=10),
            planned_entry_date=entry,
            site=setup.site,
            override_reason="Parcours historique",
        )
        enrolment = intake_services.confirm_entry(
            membership=intake,
            referral=referral,
            entry_date=entry,
            site=setup.site,
            referent=None,
            funding_lines=[plie] if values["plie"] == "oui" else [],
            situation={
                "gender": values["sexe"],
                "birth_date": _day(values["date_naissance"]),
                "postcode": values["code_postal"],
                "commune": values["commune"],
                "qpv_code": values["code_qpv"],
                "diploma_level": {"aucun": "none"}.get(
                    values["niveau_diplome"], values["niveau_diplome"]
                ),
                "job_seeker_status": "registered",
                "rqth": "no",
                "receives_rsa": "no",
                "jobless_household": "no",
                "single_parent": "no",
                "homeless": "no",
                "foreign_origin": "declined",
            },
        )
        if values["date_sortie"]:
            services_exits.record_exit(
                director,
                enrolment,
                exit_date=_day(values["date_sortie"]),
                destination=values["sortie_type"],
                months=int(values["sortie_duree_mois"]) if values["sortie_duree_mois"] else None,
            )


def _figures(school, year: int) -> dict:
    figures = key_figures(school, Period.year(year)).to_json()
    figures.pop("school")
    return figures


def _list(school) -> list[tuple]:
    """What the trainee list and the exports read of each enrolment."""
    return list(
        Enrolment.objects.filter(school=school)
        .order_by("entry_date")
        .values_list(
            "person__last_name",
            "entry_date",
            "status",
            "ended_on",
            "site__name",
            "referral__prescriber__prescriber_type",
            "exit__destination",
            "exit__months",
            "entry_situation__qpv_code",
            "entry_situation__diploma_level",
        )
    )


def test_imported_trainees_count_like_web_ones(setup):
    intake = MembershipFactory(school=setup.school, role=Role.INTAKE)
    _through_the_web(setup, intake, setup.director)
    # The other school: the same premises and staff, the same file imported.
    SiteFactory(school=setup.other_school, name="Site Nord")
    MembershipFactory(school=setup.other_school, role=Role.DIRECTOR)
    MembershipFactory(school=setup.other_school, role=Role.INTAKE)
    report = import_enrolments(
        school=setup.other_school, actor=None, data=csv_bytes(TRAINEES), filename="t.csv"
    )
    assert report.written, report.problems
    for year in (2021, 2022, 2023):
        web, imported = _figures(setup.school, year), _figures(setup.other_school, year)
        assert imported == web, year
    figures = _figures(setup.other_school, 2022)
    assert figures["trainees"] == 2 and figures["exits"] == 1
    assert figures["prescribers"] == {"mission_locale": 1, "spontane": 1}
    assert figures["plie"] == 1 and figures["qpv_pct"] == 50
    assert _list(setup.other_school) == _list(setup.school)
