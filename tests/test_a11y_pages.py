"""Every URL of the project is classified for the accessibility audit (tests/a11y_pages.py):
audited in the browser, a download, or not audited for a stated reason. A new page fails here
until it is put in one of them (most belong in ``AUDITED``)."""

from __future__ import annotations

from .a11y_pages import AUDITED, DEMO_OBJECTS, NOT_AUDITED, is_download
from .test_url_access import project_urls


def test_every_url_is_audited_or_says_why_not():
    names = {url.name for url in project_urls()}
    unclassified = sorted(
        name
        for name in names
        if name not in AUDITED and name not in NOT_AUDITED and not is_download(name)
    )
    assert not unclassified, (
        "Pages absentes de l'audit d'accessibilité : ajoutez-les à AUDITED dans "
        f"tests/a11y_pages.py (ou à NOT_AUDITED, avec la raison) : {unclassified}"
    )
    assert not set(AUDITED) & set(NOT_AUDITED), "listed both as audited and not audited"
    assert not [name for name in AUDITED if is_download(name)], "a download cannot be audited"
    stale = sorted((set(AUDITED) | set(NOT_AUDITED)) - names)
    assert not stale, f"URLs that no longer exist: {stale}"


def test_the_audited_pages_name_known_demo_objects():
    keys = {url.name: set(url.keys) - {"school_slug"} for url in project_urls()}
    for name, audit in AUDITED.items():
        assert set(audit.args) == keys[name], f"{name}: arguments {keys[name]}"
        assert set(audit.args.values()) <= set(DEMO_OBJECTS), name


def test_the_main_pages_of_the_issue_are_audited():
    """Issue 13's list: login, home, lists, trainee page, forms, agenda, attendance sheet, key
    figures, public pages."""
    main = {
        "accounts:login",
        "organisations:home",
        "pathways:trainees",
        "pathways:trainee",
        "intake:referral_submit",
        "intake:referral_create",
        "pathways:meeting_create",
        "competencies:assess",
        "companies:company_new",
        "companies:internship_new",
        "outcomes:exit_new",
        "intake:sessions",
        "agenda:list",
        "agenda:register",
        "tutor_review:form",
        "schedule:session_attendance",
        "schedule:week",
        "companies:companies",
        "companies:company",
        "reporting:key_figures",
        "outcomes:exits",
        "audit:trail",
    }
    assert main <= set(AUDITED), sorted(main - set(AUDITED))
