"""Reads of a trainee's competencies page and of the entry grids, in a constant number of queries.

The enrolments are scoped by ``pathways.selectors.enrolments_for`` (the membership's school);
the levels are derived from the loaded rows by ``levels.py`` (never stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from parcours.organisations.models import Membership
from parcours.pathways.models import Enrolment, EnrolmentStatus
from parcours.pathways.selectors import enrolments_for
from parcours.pathways.selectors_lists import SORTS, in_phase, with_referent

from . import levels, selectors
from .models import Assessment, AssessmentKind, Certification, Competency, Framework


@dataclass
class CompetencyRow:
    """One competency of one trainee, as the pages show it."""

    competency: Competency
    enrolment: Enrolment | None = None
    derived: levels.CompetencyLevels | None = None
    #: Every row of the competency, corrected ones included, oldest first; each row carries
    #: ``correction`` (the row that corrects it, or None).
    history: list[Assessment] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    other_version: bool = False
    saved: bool = False
    error: str = ""

    @property
    def key(self) -> str:
        return f"{self.enrolment.pk if self.enrolment else 0}-{self.competency.pk}"

    @property
    def entry_level(self) -> int | None:
        return self.derived.entry_level if self.derived else None

    @property
    def current_level(self) -> int | None:
        return self.derived.current_level if self.derived else None

    @property
    def entry_label(self) -> str:
        return self.labels.get(self.entry_level, "") if self.entry_level else ""

    @property
    def current_label(self) -> str:
        return self.labels.get(self.current_level, "") if self.current_level else ""

    @property
    def last_assessed_on(self):
        return self.derived.current.assessed_on if self.derived and self.derived.current else None


def scale_labels(scale) -> dict[int, str]:
    return {level.value: level.label for level in scale}


def get_assessment(enrolment: Enrolment, pk: int) -> Assessment:
    """A row of ``enrolment`` (already scoped to the membership's school), else 404."""
    return get_object_or_404(
        Assessment.objects.select_related("competency__framework", "assessor__user", "enrolment"),
        pk=pk,
        enrolment=enrolment,
    )


def correction_of(assessment: Assessment) -> Assessment | None:
    """The row that corrects ``assessment``, if any."""
    return Assessment.objects.filter(corrects=assessment).first()


def get_certification(enrolment: Enrolment, pk: int) -> Certification:
    return get_object_or_404(Certification, pk=pk, enrolment=enrolment)


def competency_for(membership: Membership, pk: Any) -> Competency:
    """A competency of a framework the school may use, else 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404("Compétence inconnue.") from error
    return get_object_or_404(
        Competency.objects.select_related("framework").filter(
            framework__in=selectors.frameworks_for(membership)
        ),
        pk=pk,
    )


# ------------------------------------------------------------------------------ trainee page


def trainee_competencies(enrolment: Enrolment) -> dict[str, Any]:
    """The trainee's competencies page: framework tree, rows per area with their history,
    certifications. About ten queries whatever the number of rows."""
    framework = selectors.enrolment_framework(enrolment)
    rows = selectors.assessment_rows(enrolment)
    certifications = list(
        Certification.objects.filter(enrolment=enrolment)
        .select_related("recorded_by")
        .order_by("-on_date", "-id")
    )
    if framework is None:
        return {
            "framework": None,
            "areas": [],
            "scale": [],
            "certifications": certifications,
            "has_positioning": False,
            "rows": rows,
        }
    tree = selectors.framework_tree(framework)
    labels = scale_labels(tree["scale"])
    derived = levels.derive_levels(rows)
    correction_of = {row.corrects_id: row for row in rows if row.corrects_id}
    history: dict[int, list[Assessment]] = {}
    for row in rows:
        row.correction = correction_of.get(row.pk)
        row.level_label = labels.get(row.level, "")
        history.setdefault(row.competency_id, []).append(row)
    areas = []
    for area in tree["areas"]:
        area_rows = [
            CompetencyRow(
                competency=competency,
                enrolment=enrolment,
                derived=derived.get(competency.pk),
                history=history.get(competency.pk, []),
                labels=labels,
            )
            for competency in area.competencies.all()
        ]
        if area_rows:
            areas.append({"area": area, "rows": area_rows})
    return {
        "framework": framework,
        "scale": tree["scale"],
        "labels": labels,
        "areas": areas,
        "competencies": tree["competencies"],
        "certifications": certifications,
        "has_positioning": any(row.kind == AssessmentKind.POSITIONING for row in rows),
        "rows": rows,
    }


# ------------------------------------------------------------------------------ grids


def trainee_grid_rows(enrolment: Enrolment, framework: Framework) -> tuple[list, list]:
    """``(scale, [{"area", "rows": [CompetencyRow]}])`` for one trainee × all competencies."""
    tree = selectors.framework_tree(framework)
    labels = scale_labels(tree["scale"])
    derived = levels.derive_levels(
        Assessment.objects.filter(enrolment=enrolment).only(
            "id", "enrolment_id", "competency_id", "kind", "level", "assessed_on", "corrects_id"
        )
    )
    areas = []
    for area in tree["areas"]:
        area_rows = [
            CompetencyRow(
                competency=competency,
                enrolment=enrolment,
                derived=derived.get(competency.pk),
                labels=labels,
            )
            for competency in area.competencies.all()
        ]
        if area_rows:
            areas.append({"area": area, "rows": area_rows})
    return tree["scale"], areas


def group_enrolments(
    membership: Membership,
    *,
    site=None,
    referent_id: int | None = None,
    phase=None,
) -> QuerySet[Enrolment]:
    """The school's active enrolments matching the filters, by name, each annotated with
    ``first_framework_id`` (the framework of its first row, None without rows)."""
    enrolments = enrolments_for(membership).filter(status=EnrolmentStatus.ACTIVE)
    if site is not None:
        enrolments = enrolments.filter(site=site)
    if referent_id is not None:
        enrolments = with_referent(enrolments, referent_id)
    if phase is not None:
        enrolments = in_phase(enrolments, phase)
    first_framework = (
        Assessment.objects.filter(enrolment=OuterRef("pk"))
        .order_by("id")
        .values("competency__framework_id")[:1]
    )
    return enrolments.annotate(first_framework_id=Subquery(first_framework)).order_by(*SORTS["nom"])


def group_grid_rows(enrolments: list[Enrolment], competency: Competency, scale) -> list:
    """A CompetencyRow per enrolment for one competency: one query for all their rows."""
    labels = scale_labels(scale)
    rows = Assessment.objects.filter(
        enrolment__in=[e.pk for e in enrolments], competency=competency
    ).only("id", "enrolment_id", "competency_id", "kind", "level", "assessed_on", "corrects_id")
    derived = levels.derive_levels_by_enrolment(rows)
    return [
        CompetencyRow(
            competency=competency,
            enrolment=enrolment,
            derived=derived.get(enrolment.pk, {}).get(competency.pk),
            labels=labels,
            other_version=enrolment.first_framework_id not in (None, competency.framework_id),
        )
        for enrolment in enrolments
    ]


def single_row(enrolment: Enrolment, competency: Competency, *, other_version=False):
    """The CompetencyRow of one trainee and one competency (the grid's saved row)."""
    scale = list(competency.framework.levels.order_by("value"))
    rows = Assessment.objects.filter(enrolment=enrolment, competency=competency)
    return CompetencyRow(
        competency=competency,
        enrolment=enrolment,
        derived=levels.derive_levels(rows).get(competency.pk),
        labels=scale_labels(scale),
        other_version=other_version,
    ), scale
