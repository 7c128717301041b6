"""The main navigation: the entries a membership may use, in order."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from .access import Perm, has_perm


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    perm: Perm
    #: URL names (``namespace:name``) that highlight this entry, besides ``url_name``.
    prefixes: tuple[str, ...] = ()


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry(_("Accueil"), "organisations:home", Perm.VIEW_SCHOOL),
    NavEntry(_("Stagiaires"), "pathways:trainees", Perm.VIEW_TRAINEES, ("pathways:",)),
    NavEntry(
        _("Compétences"),
        "competencies:overview",
        Perm.VIEW_TRAINEES,
        ("competencies:grid_group", "competencies:framework"),
    ),
    NavEntry(_("Planning"), "schedule:week", Perm.VIEW_SCHEDULE, ("schedule:",)),
    NavEntry(
        _("Émargement"),
        "schedule:day_attendance",
        Perm.MARK_ATTENDANCE,
        ("schedule:session_attendance",),
    ),
    NavEntry(
        _("Entreprises"),
        "companies:companies",
        Perm.VIEW_COMPANIES,
        ("companies:company", "companies:contact"),
    ),
    NavEntry(
        _("Stages"),
        "companies:internships",
        Perm.VIEW_TRAINEES,
        (
            "companies:internship",
            "companies:review",
            "companies:signature",
            "companies:agreement",
            "companies:hire",
        ),
    ),
    NavEntry(
        _("Sorties"),
        "outcomes:exits",
        Perm.VIEW_TRAINEES,
        ("outcomes:exit", "outcomes:follow_up"),
    ),
    NavEntry(
        _("Résultats"),
        "outcomes:rates",
        Perm.VIEW_OUTCOMES,
        ("outcomes:definition", "outcomes:headline"),
    ),
    NavEntry(
        _("Chiffres clés"),
        "reporting:key_figures",
        Perm.VIEW_KEY_FIGURES,
        ("reporting:",),
    ),
    NavEntry(_("Candidatures"), "intake:board", Perm.VIEW_CANDIDATES, ("intake:referral",)),
    NavEntry(
        _("Informations collectives"), "intake:sessions", Perm.VIEW_CANDIDATES, ("intake:session",)
    ),
    NavEntry(_("Mes orientations"), "intake:my_referrals", Perm.REFER, ("intake:my_referral",)),
    NavEntry(_("Équipe"), "organisations:staff", Perm.VIEW_STAFF),
    NavEntry(_("Partenaires"), "organisations:partners", Perm.VIEW_PARTNERS),
    NavEntry(_("Financements"), "organisations:funding", Perm.VIEW_FUNDING),
    NavEntry(_("Journal d'audit"), "audit:trail", Perm.VIEW_AUDIT_TRAIL, ("audit:",)),
    # Retention, legal holds, and the people's requests and notices (linked from its page).
    NavEntry(
        _("Protection des données"), "privacy:home", Perm.MANAGE_PRIVACY, ("privacy:", "people:")
    ),
    NavEntry(_("Importer des stagiaires"), "imports:home", Perm.IMPORT_RECORDS, ("imports:",)),
    NavEntry(
        _("Paramètres"),
        "organisations:settings",
        Perm.MANAGE_PREMISES,
        ("intake:rules", "pathways:settings"),
    ),
)


@functools.lru_cache(maxsize=4096)
def _school_url(url_name: str, slug: str, script_prefix: str) -> str:
    """``reverse`` of a school page, remembered: the menu's links are the same on every request
    (and ``reverse`` was most of the menu's cost)."""
    return reverse(url_name, args=[slug])


def navigation(membership, resolver_match) -> list[dict]:
    if membership is None or membership.school_id is None:
        return []
    current = ""
    if resolver_match is not None:
        current = f"{resolver_match.namespace}:{resolver_match.url_name}"
    entries = [e for e in NAV_ENTRIES if has_perm(membership, e.perm)]
    # The most specific match wins: the exact URL first, then the longest prefix.
    active = next((e for e in entries if e.url_name == current), None)
    if active is None:
        matches = [(len(p), e) for e in entries for p in e.prefixes if current.startswith(p)]
        active = max(matches, key=lambda m: m[0])[1] if matches else None
    return [
        {
            "label": entry.label,
            "url": _school_url(entry.url_name, membership.school.slug, get_script_prefix()),
            "active": entry is active,
        }
        for entry in entries
    ]
