"""The demo school's data-protection paperwork: information notices given to the trainees who
entered this year (and to the guardian of each minor among them), and three requests from
people about their data — an access request answered in time, a rectification received last
week and an objection whose answer is overdue.

Only ``people.PrivacyNotice`` and ``people.SubjectRequest`` rows are written, so every figure
of the demo stays the same. Deterministic for a given ``today``.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.organisations.models import Membership, Role, School
from parcours.pathways.models import Enrolment
from parcours.people.models import (
    LegalGuardian,
    NoticeRecipient,
    PrivacyNotice,
    SubjectRequest,
    one_month_after,
)

#: One trainee in SKIP_EVERY has no notice recorded yet (the page shows what is missing).
SKIP_EVERY = 8


def build_rights_history(school: School, today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    director = (
        Membership.objects.filter(school=school, role=Role.DIRECTOR)
        .select_related("user")
        .earliest("active_from", "pk")
        .user
    )
    version = f"Notice d'information v{today.year}-01"
    enrolments = list(
        Enrolment.objects.filter(school=school, entry_date__year=today.year, entry_date__lte=today)
        .select_related("person")
        .order_by("entry_date", "pk")
    )
    guardians: dict[int, LegalGuardian] = {}
    for guardian in LegalGuardian.objects.filter(school=school).order_by("pk"):
        guardians.setdefault(guardian.person_id, guardian)
    notices = []
    seen: set[int] = set()
    for index, enrolment in enumerate(enrolments):
        person = enrolment.person
        if person.pk in seen or index % SKIP_EVERY == SKIP_EVERY - 1:
            continue
        seen.add(person.pk)
        notices.append(
            PrivacyNotice(
                school=school,
                person=person,
                given_to=NoticeRecipient.PERSON,
                given_on=enrolment.entry_date,
                medium="hand",
                version=version,
                recorded_by=director,
            )
        )
        guardian = guardians.get(person.pk)
        if guardian is not None and person.age_on(enrolment.entry_date) < 18:
            notices.append(
                PrivacyNotice(
                    school=school,
                    person=person,
                    given_to=NoticeRecipient.GUARDIAN,
                    guardian=guardian,
                    given_on=enrolment.entry_date,
                    medium="letter",
                    version=version,
                    recorded_by=director,
                )
            )
    PrivacyNotice.objects.bulk_create(notices)

    people = [e.person for e in reversed(enrolments)] or [
        e.person for e in Enrolment.objects.filter(school=school).order_by("-entry_date", "-pk")[:3]
    ]
    requests = []
    plans = [
        # kind, days ago received, channel, details, answered after (days), outcome, answer
        (
            "access",
            60,
            "email",
            "Souhaite recevoir une copie de son dossier.",
            12,
            "granted",
            "Export PDF remis en main propre.",
        ),
        ("rectification", 6, "in_person", "Nouvelle adresse après son déménagement.", None, "", ""),
        ("objection", 45, "letter", "Ne souhaite plus être contacté·e par SMS.", None, "", ""),
    ]
    for person, (kind, ago, channel, details, after, outcome, answer) in zip(
        people, plans, strict=False
    ):
        received = today - datetime.timedelta(days=ago)
        requests.append(
            SubjectRequest(
                school=school,
                person=person,
                kind=kind,
                received_on=received,
                channel=channel,
                details=details,
                due_on=one_month_after(received),
                answered_on=received + datetime.timedelta(days=after) if after else None,
                outcome=outcome,
                answer=answer,
                recorded_by=director,
            )
        )
    SubjectRequest.objects.bulk_create(requests)
    return {"notices": len(notices), "requests": len(requests)}


def delete_rights_history(school_ids: list[int]) -> None:
    """Remove the notices and requests of the given schools (before people and users)."""
    for model in (PrivacyNotice, SubjectRequest):
        model.objects.filter(school_id__in=school_ids).delete()
