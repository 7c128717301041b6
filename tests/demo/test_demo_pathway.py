"""The demo's pathway follow-up: the 2018 trainees of E2C Puy-de-Dôme are followed."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count

from parcours.pathways.models import (
    Enrolment,
    EnrolmentPhase,
    Meeting,
    Plan,
    SupportAction,
    SupportDomain,
)


def test_2018_trainees_have_referents_phases_plans_meetings_and_support(demo_built):
    enrolments = Enrolment.objects.filter(
        school__slug="e2c-63",
        entry_date__lte=datetime.date(2018, 12, 31),
        ended_on__gte=datetime.date(2018, 1, 1),
    )
    assert enrolments.count() >= 210
    assert not enrolments.filter(referent__isnull=True).exists()
    ids = list(enrolments.values_list("pk", flat=True))
    for model in (EnrolmentPhase, Plan, Meeting, SupportAction):
        followed = model.objects.filter(enrolment_id__in=ids).values("enrolment").distinct()
        assert followed.count() == len(ids), model.__name__
    # Phase histories are consistent: one phase at a time, closed with the enrolment.
    assert not EnrolmentPhase.objects.filter(enrolment_id__in=ids, ended_on__isnull=True).exists()
    longest = (
        EnrolmentPhase.objects.filter(enrolment_id__in=ids)
        .values("enrolment")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert longest["n"] == 4
    # Every support domain occurs; health and mobility are the most frequent.
    domains = Counter(
        SupportAction.objects.filter(enrolment_id__in=ids).values_list("domain", flat=True)
    )
    assert set(domains) == set(SupportDomain.values)
    top_two = {domain for domain, _ in domains.most_common(2)}
    assert top_two == {"health", "mobility"}
    # Current trainees are in exactly one open phase each.
    active = Enrolment.objects.filter(school__slug="e2c-63", status="active")
    assert active.count() == 40
    assert EnrolmentPhase.objects.filter(enrolment__in=active, ended_on__isnull=True).count() == 40
