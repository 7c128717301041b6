"""Intake views: the pipeline board (candidates by stage, with counts and filters).

The page runs a constant number of queries: one aggregate for every count, then one query per
column for its most recent cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from parcours.organisations.access import Perm, school_view

from .. import selectors
from ..forms.board import BoardFilterForm
from ..models import Outcome, Referral, Stage

#: The board's columns, left to right.
STAGES: tuple[Stage, ...] = (
    Stage.REFERRED,
    Stage.INFO_SESSION,
    Stage.INTERVIEW,
    Stage.DECISION,
    Stage.ENTERED,
)
CARDS_PER_COLUMN = 15

#: Refused and withdrawn candidacies are closed: counted apart, never shown as cards.
CLOSED_OUTCOMES = (Outcome.REFUSED, Outcome.WITHDRAWN)
OPEN = ~Q(outcome__in=CLOSED_OUTCOMES)


@dataclass(frozen=True)
class Column:
    stage: Stage
    count: int
    cards: list[Referral]
    list_url: str

    @property
    def label(self) -> str:
        return str(self.stage.label)

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


def _in_column(stage: Stage) -> Q:
    # An entered candidate stays in its column; the others leave the board once closed.
    return Q(stage=stage) if stage == Stage.ENTERED else Q(stage=stage) & OPEN


def pipeline(referrals: QuerySet[Referral], list_url: str) -> tuple[list[Column], dict]:
    """The board's columns and closed counts for an already scoped and filtered queryset."""
    counts = referrals.order_by().aggregate(
        **{stage.value: Count("pk", filter=_in_column(stage)) for stage in STAGES},
        refused=Count("pk", filter=Q(outcome=Outcome.REFUSED) & ~Q(stage=Stage.ENTERED)),
        withdrawn=Count("pk", filter=Q(outcome=Outcome.WITHDRAWN) & ~Q(stage=Stage.ENTERED)),
    )
    columns = []
    for stage in STAGES:
        cards = referrals.filter(_in_column(stage))
        if stage == Stage.ENTERED:
            cards = cards.annotate(entry_date=F("enrolment__entry_date")).order_by(
                F("entry_date").desc(nulls_last=True), "-received_on", "-id"
            )
        else:
            cards = cards.order_by("-received_on", "-id")
        columns.append(
            Column(
                stage=stage,
                count=counts[stage.value],
                cards=list(cards[:CARDS_PER_COLUMN]),
                list_url=f"{list_url}?{urlencode({'stage': stage.value})}",
            )
        )
    closed = {"refused": counts["refused"], "withdrawn": counts["withdrawn"]}
    return columns, closed


@school_view(Perm.VIEW_CANDIDATES)
def board(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = BoardFilterForm(request.GET or None, school=membership.school)
    referrals = selectors.referrals_for(membership)
    refused_input = form.is_bound and not form.is_valid()
    if form.is_bound and not refused_input:
        referrals = form.apply(referrals)
    list_url = reverse("intake:referrals", args=[membership.school.slug])
    columns, closed = pipeline(referrals, list_url)
    return render(
        request,
        "intake/board/board.html",
        {
            "form": form,
            "columns": columns,
            "closed": closed,
            "filtering": form.is_filtering and not refused_input,
            "show_filters": form.is_filtering,
        },
        status=400 if refused_input else 200,
    )


urlpatterns = [path("candidatures/", board, name="board")]
