"""Progress: the school's competency home with the distribution of levels in a group.

The trainee's own chart (levels at entry and now) is drawn on the trainee page by the
``{% progress_chart enrolment %}`` tag (``templatetags/competency_tags.py``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe

from parcours.organisations.access import Perm, has_perm, school_view

from .. import charts
from ..forms.progress import DistributionFilterForm
from ..selectors_progress import level_distribution


@school_view(Perm.VIEW_TRAINEES)
def overview(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = DistributionFilterForm(request.GET or None, membership=membership)
    filters = form.filters()
    distribution = level_distribution(membership, **filters)
    rows = distribution["rows"]
    svg = ""
    if rows and distribution["counted"]:
        # The builder escapes every text it writes: its output is safe markup.
        svg = mark_safe(  # noqa: S308
            charts.distribution_chart_svg(
                [
                    (
                        row.competency.code,
                        row.competency.title,
                        [cell.count for cell in row.levels],
                        row.not_assessed.count,
                    )
                    for row in rows
                ],
                distribution["scale"],
            )
        )
    school = membership.school
    return render(
        request,
        "competencies/progress/overview.html",
        {
            **distribution,
            "form": form,
            "filtering": form.is_filtering,
            "as_of": filters.get("as_of"),
            "svg": svg,
            "frameworks_url": reverse("competencies:frameworks", args=[school.slug]),
            "can_assess": has_perm(membership, Perm.ASSESS),
        },
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("competences/", overview, name="overview"),
]
