"""Internship services: PMSMP rules, overlaps, dates, contacts, hours, goals, cancellation,
and the internship's days in attendance (in company only once the agreement is signed)."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from parcours.audit.models import AuditEvent
from parcours.companies import services_internships as services
from parcours.companies.models import Company, Contact, Internship, InternshipGoal
from parcours.competencies.models import Competency
from parcours.schedule import services_attendance
from parcours.schedule.models import AttendanceMark, ClosedMonth
from tests.factories import EnrolmentFactory, PersonFactory

from .internship_helpers import MAY_6, MAY_17, fields, second_contact, sign, sign_all

pytestmark = pytest.mark.django_db

D = datetime.date


def _create(world, who="company_relations", **overrides) -> Internship:
    return services.create_internship(
        membership=world.members[who],
        enrolment=world.objects["enrolment"],
        **fields(world, **overrides),
    )


def _refused(world, message: str, who="company_relations", **overrides) -> None:
    """The creation is refused with ``message`` (a part of it) and writes nothing."""
    internships, events = Internship.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        _create(world, who=who, **overrides)
    assert message in " ".join(error.value.messages), error.value.messages
    assert Internship.objects.count() == internships
    assert AuditEvent.objects.count() == events


def _company_days(enrolment) -> list:
    return sorted(
        {mark.day for mark in AttendanceMark.objects.filter(enrolment=enrolment, status="company")}
    )


def _weekdays(start, end) -> list:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


@pytest.fixture
def today(monkeypatch):
    """Set "today" for the attendance services (default: 1 May 2024, before the May
    internship of the helpers)."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(services_attendance, "_today", lambda: day)

    set_today(D(2024, 5, 1))
    return set_today


# ---------------------------------------------------------------------------- creation


def test_create_an_internship_is_audited_by_kind_and_id(world):
    internship = _create(world)
    assert internship.school == world.school
    assert internship.kind == "internship"
    assert internship.prescriber is None
    event = AuditEvent.objects.get(action="internship.create")
    assert event.object_id == str(internship.pk)
    assert event.object_repr == f"stage n° {internship.pk}"
    assert event.changes == {
        "enrolment": world.objects["enrolment"].pk,
        "kind": "internship",
        "company": world.objects["company"].pk,
        "start_date": "2024-05-06",
        "end_date": "2024-05-17",
    }
    # Not signed yet: no day in company.
    assert _company_days(world.objects["enrolment"]) == []


def test_an_e2c_internship_has_no_prescriber(world):
    internship = _create(world, prescriber=world.prescriber_partner)
    assert internship.prescriber is None


def test_the_referent_may_create_the_intake_member_may_not(world):
    assert _create(world, who="referent").pk
    _refused(
        world,
        "Votre rôle ne permet pas de gérer les stages.",
        who="intake",
        start_date=D(2024, 6, 3),
        end_date=D(2024, 6, 7),
    )


def test_another_school_may_not_write_on_the_enrolment(world):
    internships = Internship.objects.count()
    with pytest.raises(ValidationError, match="Parcours inconnu"):
        services.create_internship(
            membership=world.outsider, enrolment=world.objects["enrolment"], **fields(world)
        )
    assert Internship.objects.count() == internships


# ------------------------------------------------------------------------------- PMSMP


def test_a_pmsmp_without_prescriber_is_refused(world):
    _refused(world, "Une PMSMP est prescrite", kind="pmsmp", prescriber=None)


def test_a_pmsmp_prescriber_is_a_prescriber_partner_of_the_school(world):
    _refused(
        world,
        "Choisissez un prescripteur partenaire de l'école.",
        kind="pmsmp",
        prescriber=world.other_partner,
    )
    _refused(
        world,
        "Choisissez un prescripteur partenaire de l'école.",
        kind="pmsmp",
        prescriber=world.funder_partner,
    )


def test_a_pmsmp_of_exactly_one_month_is_accepted(world):
    internship = _create(
        world, kind="pmsmp", prescriber=world.prescriber_partner, end_date=D(2024, 6, 5)
    )
    assert (internship.start_date, internship.end_date) == (MAY_6, D(2024, 6, 5))
    assert internship.prescriber == world.prescriber_partner


def test_a_pmsmp_of_one_month_and_one_day_is_refused(world):
    _refused(
        world,
        "Une PMSMP dure au plus un mois : commencée le 06/05/2024, elle finit au plus tard "
        "le 05/06/2024.",
        kind="pmsmp",
        prescriber=world.prescriber_partner,
        end_date=D(2024, 6, 6),
    )


def test_a_month_is_a_calendar_month():
    assert services.pmsmp_last_day(D(2024, 3, 10)) == D(2024, 4, 9)
    assert services.pmsmp_last_day(D(2024, 1, 31)) == D(2024, 2, 28)  # 29/02 − 1 day
    assert services.pmsmp_last_day(D(2024, 2, 1)) == D(2024, 2, 29)
    assert services.pmsmp_last_day(D(2024, 12, 15)) == D(2025, 1, 14)


def test_an_e2c_internship_may_last_longer_than_a_month(world):
    assert _create(world, end_date=D(2024, 6, 28)).days == 54


# ----------------------------------------------------------------------------- overlaps


def test_overlapping_internships_are_refused_the_next_day_is_fine(world):
    _create(world)  # 06/05 → 17/05
    _refused(
        world,
        "Ce·tte stagiaire a déjà un stage du 06/05/2024 au 17/05/2024 chez",
        start_date=MAY_17,
        end_date=D(2024, 5, 24),
    )
    _refused(world, "ne peuvent pas se chevaucher", start_date=D(2024, 5, 1), end_date=MAY_6)
    _refused(
        world, "ne peuvent pas se chevaucher", start_date=D(2024, 5, 8), end_date=D(2024, 5, 9)
    )
    following = _create(world, start_date=D(2024, 5, 18), end_date=D(2024, 5, 24))
    assert following.pk
    preceding = _create(world, start_date=D(2024, 4, 22), end_date=D(2024, 5, 5))
    assert preceding.pk


def test_the_world_internship_counts_until_it_is_cancelled(world):
    april = {"start_date": D(2024, 4, 15), "end_date": D(2024, 4, 26)}
    _refused(world, "du 08/04/2024 au 19/04/2024", **april)
    internship = _create(world, start_date=D(2024, 4, 22), end_date=D(2024, 4, 26))
    assert internship.pk
    cancelled = _create(world)
    services.cancel_internship(
        membership=world.members["referent"],
        internship=cancelled,
        reason="company",
        confirmed=True,
    )
    # The cancelled one no longer counts: the same dates are free again.
    assert _create(world).pk


def test_an_update_does_not_overlap_itself_but_may_not_meet_another(world):
    internship = _create(world)
    services.update_internship(
        membership=world.members["referent"],
        internship=internship,
        **fields(world, end_date=D(2024, 5, 24)),
    )
    internship.refresh_from_db()
    assert internship.end_date == D(2024, 5, 24)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="du 08/04/2024 au 19/04/2024"):
        services.update_internship(
            membership=world.members["referent"],
            internship=internship,
            **fields(world, start_date=D(2024, 4, 19)),
        )
    internship.refresh_from_db()
    assert internship.start_date == MAY_6
    assert AuditEvent.objects.count() == before


# -------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (MAY_17, MAY_6, "La date de fin précède la date de début."),
        (D(2024, 2, 2), D(2024, 2, 9), "avant l'entrée en parcours (05/02/2024)"),
        (D(2024, 8, 1), D(2024, 8, 9), "après la fin prévue du parcours (05/08/2024)"),
        (None, MAY_17, "Indiquez la date de début."),
    ],
)
def test_dates_within_the_pathway(world, start, end, message):
    _refused(world, message, start_date=start, end_date=end)


def test_after_the_exit_the_exit_date_is_the_limit(world):
    enrolment = world.objects["enrolment"]
    enrolment.status, enrolment.ended_on = "exited", D(2024, 5, 10)
    enrolment.save()
    _refused(world, "après la sortie du parcours (10/05/2024)")
    assert _create(world, end_date=D(2024, 5, 10)).pk


# ----------------------------------------------------------------------------- contacts


def test_the_tutor_is_a_tutor_of_the_company(world):
    not_tutor = second_contact(world, is_tutor=False)
    _refused(world, "n'est pas tuteur·rice dans la fiche de l'entreprise", tutor=not_tutor)
    other_company = Company.objects.create(
        school=world.school,
        name="Autre",
        sector="retail",
        created_by=world.members["director"].user,
    )
    elsewhere = Contact.objects.create(
        school=world.school,
        company=other_company,
        last_name="Ailleurs",
        first_name="Paul",
        is_tutor=True,
        is_signatory=True,
    )
    _refused(world, "parmi les contacts de l'entreprise", tutor=elsewhere)
    _refused(world, "parmi les contacts de l'entreprise", signatory=elsewhere)
    inactive = second_contact(world, is_tutor=True, active=False)
    _refused(world, "n'est plus un contact actif", tutor=inactive)


def test_signatories_sign_for_the_company_and_are_two_different_people(world):
    not_signatory = second_contact(world, is_tutor=True, is_signatory=False)
    _refused(world, "ne peut pas signer de convention", signatory=not_signatory)
    _refused(world, "ne peut pas signer de convention", second_signatory=not_signatory)
    _refused(
        world,
        "Les deux signataires de l'entreprise doivent être deux personnes différentes.",
        second_signatory=world.objects["contact"],
    )
    second = Contact.objects.create(
        school=world.school,
        company=world.objects["company"],
        last_name="Deux",
        first_name="Lou",
        is_signatory=True,
    )
    assert _create(world, second_signatory=second).second_signatory == second


def test_an_archived_company_takes_no_new_internship(world):
    company = world.objects["company"]
    company.archived_at = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    company.save()
    _refused(world, "est archivée")
    _refused(
        world, "Choisissez une entreprise partenaire de l'école.", company=world.others["company"]
    )


# -------------------------------------------------------------------------------- hours


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (Decimal("0.5"), "Les heures par semaine vont de 1 à 48"),
        (Decimal("49"), "Les heures par semaine vont de 1 à 48"),
        ("beaucoup", "Indiquez les heures par semaine (un nombre)."),
        (Decimal("20.25"), "au dixième près"),
    ],
)
def test_weekly_hours_from_1_to_48(world, hours, message):
    _refused(world, message, weekly_hours=hours)


def test_an_adult_may_do_48_hours(world):
    assert _create(world, weekly_hours=Decimal("48")).weekly_hours == Decimal("48")


def test_a_minor_is_capped_at_35_hours_a_week(world):
    person = world.objects["enrolment"].person
    person.birth_date = D(2006, 6, 1)  # 17 on 06/05/2024, 18 on 01/06/2024
    person.save()
    _refused(
        world,
        "Le ou la stagiaire aura moins de 18 ans le 06/05/2024 : un·e mineur·e travaille au "
        "plus 35 heures par semaine (et 8 heures par jour).",
        weekly_hours=Decimal("35.5"),
    )
    assert _create(world, weekly_hours=Decimal("35")).pk
    # Adult on the first day: 40 h are fine.
    assert _create(
        world, start_date=D(2024, 6, 3), end_date=D(2024, 6, 14), weekly_hours=Decimal("40")
    ).pk


# ------------------------------------------------------------------------ text fields


def test_job_title_and_tasks_are_needed_and_the_rome_code_checked(world):
    _refused(world, "Indiquez le poste occupé.", job_title="  ")
    _refused(world, "Indiquez les activités confiées.", tasks="")
    _refused(world, "Le code ROME est une lettre suivie de quatre chiffres", rome_code="12345")
    assert _create(world, rome_code="n1103").rome_code == "N1103"


# --------------------------------------------------------------------- update, audit


def test_an_update_audits_codes_and_ids_never_free_text(world):
    internship = _create(world)
    services.update_internship(
        membership=world.members["referent"],
        internship=internship,
        **fields(world, job_title="Caissier·ère", tasks="Encaissement.", weekly_hours=30),
    )
    event = AuditEvent.objects.get(action="internship.update")
    assert event.changes == {
        "weekly_hours": ["35.0", "30.0"],
        "job_title": "changed",
        "tasks": "changed",
    }
    assert "Caissier" not in str(event.changes)
    # Nothing changed: no event.
    services.update_internship(
        membership=world.members["referent"],
        internship=internship,
        **fields(world, job_title="Caissier·ère", tasks="Encaissement.", weekly_hours=30),
    )
    assert AuditEvent.objects.filter(action="internship.update").count() == 1


def test_a_cancelled_internship_cannot_change(world):
    internship = _create(world)
    services.cancel_internship(
        membership=world.members["referent"],
        internship=internship,
        reason="trainee",
        confirmed=True,
    )
    with pytest.raises(ValidationError, match="Ce stage est annulé"):
        services.update_internship(
            membership=world.members["referent"], internship=internship, **fields(world)
        )
    with pytest.raises(ValidationError, match="Ce stage est déjà annulé"):
        services.cancel_internship(
            membership=world.members["referent"],
            internship=internship,
            reason="trainee",
            confirmed=True,
        )


# ------------------------------------------------------------------------ cancellation


@pytest.mark.parametrize(
    ("reason", "confirmed", "message"),
    [
        ("", True, "Choisissez le motif d'annulation dans la liste."),
        ("pas envie", True, "Choisissez le motif d'annulation dans la liste."),
        ("company", False, "Cochez la case de confirmation pour annuler le stage."),
    ],
)
def test_cancelling_needs_a_reason_code_and_a_confirmation(world, reason, confirmed, message):
    internship = _create(world)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.cancel_internship(
            membership=world.members["referent"],
            internship=internship,
            reason=reason,
            confirmed=confirmed,
        )
    assert error.value.messages == [message]
    internship.refresh_from_db()
    assert internship.cancelled_at is None and internship.cancel_reason == ""
    assert AuditEvent.objects.count() == events


def test_an_internship_with_a_review_cannot_be_cancelled(world):
    with pytest.raises(ValidationError, match="a un bilan ou une embauche"):
        services.cancel_internship(
            membership=world.members["referent"],
            internship=world.objects["internship"],
            reason="error",
            confirmed=True,
        )


def test_cancel_is_audited_with_its_code(world):
    internship = _create(world)
    services.cancel_internship(
        membership=world.members["company_relations"],
        internship=internship,
        reason="company",
        confirmed=True,
    )
    internship.refresh_from_db()
    assert internship.is_cancelled and internship.cancel_reason == "company"
    event = AuditEvent.objects.get(action="internship.cancel")
    assert event.changes == {"reason": "company"}


# ------------------------------------------------------------------------------ goals


def test_goals_are_competencies_of_the_trainees_framework(world):
    internship = _create(world)
    shared = world.objects["default_framework"]
    first, second, third = Competency.objects.filter(framework=shared).order_by("pk")[:3]
    services.set_goals(
        membership=world.members["referent"],
        internship=internship,
        goals=[(first, "Arriver à l'heure"), (second, "")],
    )
    assert {(g.competency_id, g.description) for g in internship.goals.all()} == {
        (first.pk, "Arriver à l'heure"),
        (second.pk, ""),
    }
    kept = internship.goals.get(competency=first).pk
    services.set_goals(
        membership=world.members["referent"],
        internship=internship,
        goals=[(first, "Être ponctuel"), (third, "")],
    )
    assert {(g.competency_id, g.description) for g in internship.goals.all()} == {
        (first.pk, "Être ponctuel"),
        (third.pk, ""),
    }
    assert internship.goals.get(competency=first).pk == kept
    event = AuditEvent.objects.filter(action="internship.goals").latest("pk")
    assert event.changes == {
        "competencies": sorted([first.pk, third.pk]),
        "added": 1,
        "removed": 1,
        "updated": 1,
    }


def test_a_goal_from_another_framework_or_twice_is_refused(world):
    internship = _create(world)
    shared = world.objects["default_framework"]
    first = Competency.objects.filter(framework=shared).order_by("pk").first()
    services.set_goals(
        membership=world.members["referent"], internship=internship, goals=[(first, "")]
    )
    for goals, message in (
        ([(world.objects["draft_competency"], "")], "n'appartient pas au référentiel"),
        ([(first, ""), (first, "bis")], "est choisie deux fois"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.set_goals(
                membership=world.members["referent"], internship=internship, goals=goals
            )
        assert list(internship.goals.values_list("competency_id", flat=True)) == [first.pk]
    with pytest.raises(ValidationError, match="Votre rôle ne permet pas"):
        services.set_goals(membership=world.members["intake"], internship=internship, goals=[])
    assert InternshipGoal.objects.filter(internship=internship).count() == 1


# ------------------------------------------------------------------- days in company


def test_company_days_are_filled_only_once_fully_signed(world, today):
    internship = _create(world)
    enrolment = internship.enrolment
    sign(internship, "school", "trainee")
    report = services.sync_company_days(
        internship=internship, recorded_by=world.members["referent"]
    )
    assert report == services.CompanyDaysReport()
    assert _company_days(enrolment) == []
    sign(internship, "company")
    report = services.sync_company_days(
        internship=internship, recorded_by=world.members["referent"]
    )
    assert report.filled == 20  # 10 weekdays × 2 half-days
    assert _company_days(enrolment) == _weekdays(MAY_6, MAY_17)


def test_a_minors_agreement_needs_the_guardian_before_the_days_are_filled(world, today):
    person = world.objects["enrolment"].person
    person.birth_date = D(2007, 1, 1)
    person.save()
    internship = _create(world)
    sign(internship, "school", "trainee", "company")
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    assert _company_days(internship.enrolment) == []
    sign(internship, "guardian")
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    assert len(_company_days(internship.enrolment)) == 10


def test_when_dates_change_the_company_marks_follow(world, today):
    internship = _create(world)
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    report = services.update_internship(
        membership=world.members["referent"],
        internship=internship,
        **fields(world, start_date=D(2024, 5, 13), end_date=D(2024, 5, 24)),
    )
    # New dates are new terms: the signatures are withdrawn, no day is in company…
    assert report.signatures_reset == 3
    assert report.removed == 20
    assert _company_days(internship.enrolment) == []
    clear = AuditEvent.objects.get(action="attendance.company_days_clear")
    assert clear.changes["deleted"] == 20
    # …until the agreement is signed again: then the new dates are.
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    assert _company_days(internship.enrolment) == _weekdays(D(2024, 5, 13), D(2024, 5, 24))


def test_past_days_no_longer_covered_are_kept_and_reported(world, today):
    internship = _create(world)
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    today(D(2024, 5, 8))  # a Wednesday
    report = services.update_internship(
        membership=world.members["referent"],
        internship=internship,
        **fields(world, start_date=D(2024, 5, 13)),
    )
    # The signatures are withdrawn (new terms): the days to come are no longer in company;
    # the past ones (up to today) are records, kept and reported.
    assert report.kept_days == (D(2024, 5, 6), D(2024, 5, 7), D(2024, 5, 8))
    assert report.removed == 14  # 09/05 → 17/05
    assert report.needs_attention
    assert _company_days(internship.enrolment) == [D(2024, 5, 6), D(2024, 5, 7), D(2024, 5, 8)]


def test_cancel_removes_the_future_company_marks_only(world, today):
    internship = _create(world)
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    # Another day of the trainee, not from this internship, stays as it is.
    other = AttendanceMark.objects.filter(enrolment=internship.enrolment, status="present").count()
    today(D(2024, 5, 13))
    report = services.cancel_internship(
        membership=world.members["referent"],
        internship=internship,
        reason="company",
        confirmed=True,
    )
    assert _company_days(internship.enrolment) == _weekdays(MAY_6, D(2024, 5, 13))
    assert report.removed == 8  # 14/05 → 17/05
    assert report.kept_days == tuple(_weekdays(MAY_6, D(2024, 5, 13)))
    assert (
        AttendanceMark.objects.filter(enrolment=internship.enrolment, status="present").count()
        == other
    )


def test_closed_months_are_left_untouched_and_reported(world, today):
    internship = _create(world, start_date=D(2024, 5, 27), end_date=D(2024, 6, 7))
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    ClosedMonth.objects.create(
        school=world.school, month=D(2024, 5, 1), closed_by=world.members["director"].user
    )
    report = services.cancel_internship(
        membership=world.members["referent"],
        internship=internship,
        reason="school",
        confirmed=True,
    )
    assert report.closed_months == (D(2024, 5, 1),)
    assert report.removed == 10  # June's five weekdays
    assert _company_days(internship.enrolment) == _weekdays(D(2024, 5, 27), D(2024, 5, 31))


def test_days_of_another_signed_internship_are_kept(world, today):
    first = _create(world)
    sign_all(first)
    services.sync_company_days(internship=first, recorded_by=world.members["referent"])
    second = _create(world, start_date=D(2024, 5, 20), end_date=D(2024, 5, 24))
    sign_all(second)
    services.sync_company_days(internship=second, recorded_by=world.members["referent"])
    # Moving the first one away from its days never touches the second one's.
    services.update_internship(
        membership=world.members["referent"],
        internship=first,
        **fields(world, start_date=D(2024, 5, 27), end_date=D(2024, 5, 31)),
    )
    assert _company_days(first.enrolment) == _weekdays(D(2024, 5, 20), D(2024, 5, 24))
    sign_all(first)  # its new dates signed again
    services.sync_company_days(internship=first, recorded_by=world.members["referent"])
    assert _company_days(first.enrolment) == [
        *_weekdays(D(2024, 5, 20), D(2024, 5, 24)),
        *_weekdays(D(2024, 5, 27), D(2024, 5, 31)),
    ]


def test_clear_company_days_leaves_other_statuses_alone(world, today):
    enrolment = EnrolmentFactory(
        school=world.school,
        site=world.site,
        person=PersonFactory(school=world.school),
        entry_date=D(2024, 5, 1),
    )
    user = world.members["referent"].user
    services_attendance.fill_company_days(
        enrolment=enrolment, start=D(2024, 5, 6), end=D(2024, 5, 7), recorded_by=user
    )
    AttendanceMark.objects.filter(enrolment=enrolment, day=D(2024, 5, 7), half="pm").update(
        status="holiday"
    )
    cleared = services_attendance.clear_company_days(
        enrolment=enrolment,
        start=D(2024, 5, 6),
        end=D(2024, 5, 7),
        recorded_by=user,
        keep=[(D(2024, 5, 6), D(2024, 5, 6))],
    )
    assert cleared == 1
    assert list(
        AttendanceMark.objects.filter(enrolment=enrolment)
        .order_by("day", "half")
        .values_list("day", "half", "status")
    ) == [
        (D(2024, 5, 6), "am", "company"),
        (D(2024, 5, 6), "pm", "company"),
        (D(2024, 5, 7), "pm", "holiday"),
    ]
    with pytest.raises(ValidationError, match="La date de fin précède"):
        services_attendance.clear_company_days(
            enrolment=enrolment, start=D(2024, 5, 7), end=D(2024, 5, 6), recorded_by=user
        )


# ------------------------------------------------------------------------- concurrency

THREADS = 6


# serialized_rollback: the flush after a transactional test would otherwise take away the rows
# that migrations create (the default competency framework…) from the tests that follow.
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's (SQLite serialises)"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_overlapping_creations_at_the_same_moment_exactly_one_succeeds(world):
    """The enrolment row is locked while checking: the others wait, then see the first one."""
    barrier = threading.Barrier(THREADS)
    created, refused, crashed = [], [], []
    members = ["referent", "company_relations", "director"]

    def create(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            internship = services.create_internship(
                membership=world.members[members[i % len(members)]],
                enrolment=world.objects["enrolment"],
                **fields(world, start_date=MAY_6 + datetime.timedelta(days=i % 3)),
            )
            created.append(internship.pk)
        except ValidationError as error:
            refused.append(error.messages)
        except Exception as error:
            crashed.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not crashed, crashed
    assert len(created) == 1
    assert len(refused) == THREADS - 1
    assert all("ne peuvent pas se chevaucher" in " ".join(m) for m in refused)


def test_a_new_wording_keeps_the_signatures_and_leaves_attendance_alone(world, today):
    internship = _create(world)
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    # The trainee was ill on the first morning (recorded on the sheet, with its reason).
    mark = AttendanceMark.objects.get(enrolment=internship.enrolment, day=MAY_6, half="am")
    mark.status, mark.reason = "excused", "illness"
    mark.save()
    report = services.update_internship(
        membership=world.members["referent"],
        internship=internship,
        **fields(world, tasks="Préparation de commandes et inventaire."),
    )
    assert report == services.CompanyDaysReport()
    assert internship.signatures.count() == 3
    mark.refresh_from_db()
    assert (mark.status, mark.reason) == ("excused", "illness")


def test_new_terms_withdraw_the_signatures_and_the_days_to_come(world, today):
    internship = _create(world)
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    assert len(_company_days(internship.enrolment)) == 10
    report = services.update_internship(
        membership=world.members["referent"],
        internship=internship,
        **fields(world, weekly_hours=Decimal("30")),
    )
    assert report.signatures_reset == 3
    assert report.removed == 20  # every half-day to come (today is 1 May)
    assert report.needs_attention
    assert not internship.signatures.exists()
    assert _company_days(internship.enrolment) == []
    event = AuditEvent.objects.get(action="agreement.signatures_reset")
    assert event.changes == {"signatures": 3, "fields": ["weekly_hours"]}
    # Signed again: the days are back.
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    assert len(_company_days(internship.enrolment)) == 10


def test_a_late_agreement_leaves_what_was_recorded_on_past_days(world, today):
    internship = _create(world)
    enrolment = internship.enrolment
    AttendanceMark.objects.create(
        school=world.school,
        enrolment=enrolment,
        day=MAY_6,
        half="am",
        status="present",
        recorded_by=world.members["referent"].user,
    )
    today(D(2024, 5, 8))
    sign_all(internship)
    report = services.sync_company_days(
        internship=internship, recorded_by=world.members["referent"]
    )
    assert report.recorded_days == (MAY_6,)
    assert AttendanceMark.objects.get(enrolment=enrolment, day=MAY_6, half="am").status == (
        "present"
    )
    assert AttendanceMark.objects.get(enrolment=enrolment, day=MAY_6, half="pm").status == (
        "company"
    )
