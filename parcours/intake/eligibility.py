"""Eligibility checks: pure functions of the rules and the candidate's data on a given day.

The rules (``EligibilityRules`` and its ``SpecialPublic`` rows) are data, versioned per school.
A special public replaces the age rule only (e.g. women over 25 living in a QPV referred by the
PLIE still need to be out of school and neither in employment nor in training).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from parcours.people.models import age_on


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus ``months`` calendar months, clamped to the month's end (31/01 + 1 → 28/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class SpecialPublicRule:
    label: str
    gender: str = ""
    min_age: int | None = None
    max_age: int | None = None
    requires_qpv: bool = False
    prescriber_type: str = ""


@dataclass(frozen=True)
class Rules:
    min_age: int = 16
    max_age: int = 25
    min_months_out_of_school: int = 12
    require_not_in_employment_or_training: bool = True
    special_publics: tuple[SpecialPublicRule, ...] = ()

    @classmethod
    def from_model(cls, rules) -> Rules:
        return cls(
            min_age=rules.min_age,
            max_age=rules.max_age,
            min_months_out_of_school=rules.min_months_out_of_school,
            require_not_in_employment_or_training=rules.require_not_in_employment_or_training,
            special_publics=tuple(
                SpecialPublicRule(
                    label=sp.label,
                    gender=sp.gender,
                    min_age=sp.min_age,
                    max_age=sp.max_age,
                    requires_qpv=sp.requires_qpv,
                    prescriber_type=sp.prescriber_type,
                )
                for sp in (rules.special_publics.all() if rules.pk else ())
            ),
        )


@dataclass(frozen=True)
class Candidate:
    birth_date: datetime.date
    gender: str
    left_school_on: datetime.date | None
    in_employment_or_training: bool
    lives_in_qpv: bool
    prescriber_type: str  # "" for a spontaneous application


@dataclass(frozen=True)
class RuleResult:
    code: str
    label: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Eligibility:
    on: datetime.date
    results: tuple[RuleResult, ...] = field(default_factory=tuple)

    @property
    def eligible(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> list[RuleResult]:
        return [result for result in self.results if not result.passed]

    def as_json(self) -> list[dict]:
        return [asdict(result) for result in self.results]


def _matches(public: SpecialPublicRule, candidate: Candidate, age: int) -> bool:
    return (
        (not public.gender or public.gender == candidate.gender)
        and (public.min_age is None or age >= public.min_age)
        and (public.max_age is None or age <= public.max_age)
        and (not public.requires_qpv or candidate.lives_in_qpv)
        and (not public.prescriber_type or public.prescriber_type == candidate.prescriber_type)
    )


def check(rules: Rules, candidate: Candidate, on: datetime.date) -> Eligibility:
    """Check every rule for ``candidate`` on ``on`` (the planned entry date)."""
    results: list[RuleResult] = []
    age = age_on(candidate.birth_date, on)

    in_range = rules.min_age <= age <= rules.max_age
    special = next((p for p in rules.special_publics if _matches(p, candidate, age)), None)
    if in_range:
        detail = _("%(age)d ans le %(day)s (de %(min)d à %(max)d ans inclus).")
    elif special is not None:
        detail = _(
            "%(age)d ans le %(day)s : hors tranche d'âge, mais public spécifique « %(public)s »."
        )
    else:
        detail = _("%(age)d ans le %(day)s : hors de la tranche de %(min)d à %(max)d ans inclus.")
    results.append(
        RuleResult(
            code="age",
            label=_("Âge"),
            passed=in_range or special is not None,
            detail=detail
            % {
                "age": age,
                "day": on.strftime("%d/%m/%Y"),
                "min": rules.min_age,
                "max": rules.max_age,
                "public": special.label if special else "",
            },
        )
    )

    if rules.min_months_out_of_school:
        if candidate.left_school_on is None:
            passed, detail = False, _("Date de sortie du système scolaire non renseignée.")
        else:
            since = add_months(candidate.left_school_on, rules.min_months_out_of_school)
            passed = since <= on
            detail = (
                _("Sorti·e du système scolaire le %(left)s : au moins %(months)d mois le %(day)s.")
                if passed
                else _(
                    "Sorti·e du système scolaire le %(left)s : %(months)d mois seulement à "
                    "partir du %(since)s."
                )
            ) % {
                "left": candidate.left_school_on.strftime("%d/%m/%Y"),
                "months": rules.min_months_out_of_school,
                "day": on.strftime("%d/%m/%Y"),
                "since": since.strftime("%d/%m/%Y"),
            }
        results.append(
            RuleResult(
                code="out_of_school",
                label=_("Hors du système scolaire"),
                passed=passed,
                detail=detail,
            )
        )

    if rules.require_not_in_employment_or_training:
        passed = not candidate.in_employment_or_training
        results.append(
            RuleResult(
                code="neet",
                label=_("Ni en emploi ni en formation"),
                passed=passed,
                detail=_("Ni en emploi ni en formation.")
                if passed
                else _("Actuellement en emploi ou en formation."),
            )
        )
    return Eligibility(on=on, results=tuple(results))


def minors_share_after(present: int, minors: int, candidate_is_minor: bool) -> float:
    """Share of minors (0–100) among trainees present once the candidate is added."""
    total = present + 1
    return 100.0 * (minors + (1 if candidate_is_minor else 0)) / total


MINORS_WARNING_THRESHOLD = 25.0
