"""The demo school's data protection: a 2-year retention and one legal hold.

The history is left as it is (the demo never runs ``parcours daily``): the privacy page shows
how many people are due for anonymisation, and the hold on one of them."""

from __future__ import annotations

from django.utils import timezone

from parcours.organisations.models import Membership, School
from parcours.privacy.models import LegalHold, RetentionRun
from parcours.privacy.selectors import expired

HOLD_REASON = "Contentieux prud'homal en cours — conserver le dossier"


def build_privacy_history(school: School, director: Membership) -> None:
    school.retention_years = 2
    school.save(update_fields=["retention_years"])
    person = expired(school, timezone.localdate()).filter(enrolments__isnull=False).first()
    if person is not None:
        LegalHold.objects.create(
            school=school, person=person, reason=HOLD_REASON, placed_by=director.user
        )


def delete_privacy_history(school_ids: list[int]) -> None:
    LegalHold.objects.filter(school_id__in=school_ids).delete()
    RetentionRun.objects.filter(school_id__in=school_ids).delete()
