"""The pages audited for accessibility in the browser (e2e/test_accessibility.py, axe-core),
kept beside the URL tables (``tests/**/url_table*.py``, collected by ``tests/url_tables.py``).

Every URL of the project is in exactly one place here (tests/test_a11y_pages.py checks it, so a
new screen cannot be forgotten):

- ``AUDITED``: the page is opened in Chromium as the given demo role (or anonymously) and must
  have no serious or critical axe violation (at 1280 px, and at a phone's 390 px for the pages
  marked ``phone``: every public page, and staff pages with wide tables). The URL's arguments
  name demo objects (``DEMO_OBJECTS``: how each is found in the demo built by
  ``parcours demo``).
- a download (its name ends with one of ``DOWNLOAD_SUFFIXES``: XLSX, PDF, JSON, iCalendar),
  not an HTML page;
- ``NOT_AUDITED``: with the reason — an action answering only POST, an htmx fragment, or a page
  drawn by the same template as an audited one.

A new HTML page goes in ``AUDITED`` unless it is one of those.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Audit:
    #: The demo role that opens the page (``demo_accounts`` key), or ``"anonymous"``.
    who: str
    #: URL argument → ``DEMO_OBJECTS`` key (``school_slug`` is always the demo school's).
    args: dict[str, str] = field(default_factory=dict)
    #: Query string added to the URL (a period with data).
    query: str = ""
    #: Also audited at a phone's width (390 px), where wide tables scroll sideways.
    phone: bool = False


def _referent_trainee() -> int:
    """An active trainee of the demo referent, positioned, with meetings and support actions."""
    from django.utils import timezone

    from parcours.pathways.models import Enrolment

    enrolment = (
        Enrolment.objects.filter(
            referent__user__email="referent@e2c-63.demo",
            status="active",
            assessments__kind="positioning",
            meetings__isnull=False,
            support_actions__isnull=False,
            entry_date__lt=timezone.localdate(),
        )
        .distinct()
        .order_by("pk")
        .first()
    )
    assert enrolment is not None, "the demo referent should have a followed, positioned trainee"
    return enrolment.pk


def _first(model_path: str, order: str = "pk", **filters) -> Callable[[], int]:
    def find() -> int:
        from django.apps import apps

        model = apps.get_model(model_path)
        if "school__slug" not in filters and any(f.name == "school" for f in model._meta.fields):
            filters.setdefault("school__slug", "e2c-63")
        row = model.objects.filter(**filters).order_by(order).first()
        assert row is not None, f"the demo has no {model_path} matching {filters}"
        return row.pk

    return find


def _of_trainee(model_path: str) -> Callable[[], int]:
    def find() -> int:
        from django.apps import apps

        model = apps.get_model(model_path)
        return model.objects.filter(enrolment_id=_referent_trainee()).order_by("pk").first().pk

    return find


def _trainee_person() -> int:
    from parcours.pathways.models import Enrolment

    return Enrolment.objects.get(pk=_referent_trainee()).person_id


def _upcoming_info_session() -> int:
    from django.utils import timezone

    from parcours.intake.models import InfoSession

    return (
        InfoSession.objects.filter(school__slug="e2c-63", starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
        .pk
    )


def _attendance_session() -> int:
    """A past workshop session of the week with trainees: its attendance sheet."""
    from django.utils import timezone

    from parcours.schedule.models import Session

    today = timezone.localdate()
    return (
        Session.objects.filter(
            school__slug="e2c-63",
            day__lte=today,
            day__gte=today - datetime.timedelta(days=14),
            trainees__isnull=False,
        )
        .distinct()
        .order_by("-day", "pk")
        .first()
        .pk
    )


def _tutor_token() -> str:
    """A usable private link for the tutor of an internship without a review (created here: the
    demo stores only the hashes of the links it sent)."""
    import hashlib

    from django.utils import timezone

    from parcours.companies.models import Internship, TutorLink

    internship = (
        Internship.objects.filter(
            school__slug="e2c-63",
            review__isnull=True,
            cancelled_at__isnull=True,
            end_date__lt=timezone.localdate(),
        )
        .order_by("-end_date", "pk")
        .first()
    )
    token = "lien-audit-accessibilite"
    TutorLink.objects.get_or_create(
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        defaults={
            "school": internship.school,
            "internship": internship,
            "sent_to": "tuteur@example.org",
            "expires_at": timezone.now() + datetime.timedelta(days=30),
        },
    )
    return token


def _registration_token() -> str:
    from parcours.intake.models import Registration

    return Registration.objects.filter(session_id=_upcoming_info_session()).first().token


def _attestation_token() -> str:
    from parcours.competencies.models import Attestation

    return Attestation.objects.filter(school__slug="e2c-63", status="valid").first().token


#: How the URL arguments of the audited pages are found in the demo.
DEMO_OBJECTS: dict[str, Callable[[], int | str]] = {
    "trainee": _referent_trainee,
    "meeting": _of_trainee("pathways.Meeting"),
    "support_action": _of_trainee("pathways.SupportAction"),
    "person": _trainee_person,
    "referral": _first("intake.Referral", "-pk"),
    "info_session": _upcoming_info_session,
    "registration_token": _registration_token,
    "session": _attendance_session,
    "company": _first("companies.Company", "name"),
    "internship": _first("companies.Internship", "-start_date", cancelled_at__isnull=True),
    "tutor_token": _tutor_token,
    "exit": _first("outcomes.Exit", "-exit_date"),
    "follow_up": _first("outcomes.ExitFollowUp", "due_on", status="due"),
    "definition": _first("outcomes.OutcomeDefinition", "pk", school__slug=None),
    "framework": _first("competencies.Framework", "pk", school__slug=None, status="published"),
    "attestation_token": _attestation_token,
    "site": _first("organisations.Site", "name"),
    "room": _first("organisations.Room", "name", site__school__slug="e2c-63"),
}

YEAR = "?annee=2018"

#: url name → who opens it and how its URL is built. Grouped by area.
AUDITED: dict[str, Audit] = {
    # Public pages and the login.
    "accounts:login": Audit("anonymous", phone=True),
    "accounts:password_reset": Audit("anonymous", phone=True),
    "agenda:list": Audit("anonymous", phone=True),
    "agenda:register": Audit("anonymous", {"pk": "info_session"}, phone=True),
    "agenda:registration": Audit("anonymous", {"token": "registration_token"}, phone=True),
    "tutor_review:form": Audit("anonymous", {"tutor_token": "tutor_token"}, phone=True),
    "tutor_review:thanks": Audit("anonymous", phone=True),
    "attestation_check:verify": Audit(
        "anonymous", {"verification_token": "attestation_token"}, phone=True
    ),
    # The school's home and settings.
    "organisations:home": Audit("director", phone=True),
    "organisations:site": Audit("director", {"pk": "site"}),
    "organisations:room": Audit("director", {"pk": "room"}),
    "organisations:staff": Audit("director"),
    "organisations:partners": Audit("director"),
    "organisations:funding": Audit("director"),
    "organisations:settings": Audit("director"),
    "organisations:site_create": Audit("director"),
    "accounts:account": Audit("director"),
    "accounts:password_change": Audit("director"),
    # Intake.
    "intake:board": Audit("intake"),
    "intake:referrals": Audit("intake"),
    "intake:referral": Audit("intake", {"pk": "referral"}, phone=True),
    "intake:referral_create": Audit("intake"),
    "intake:interview_create": Audit("intake", {"pk": "referral"}),
    "intake:decision_create": Audit("intake", {"pk": "referral"}),
    "intake:sessions": Audit("intake"),
    "intake:session": Audit("intake", {"pk": "info_session"}),
    "intake:session_create": Audit("intake"),
    "intake:session_attendance": Audit("intake", {"pk": "info_session"}),
    "intake:rules": Audit("intake"),
    "intake:my_referrals": Audit("prescriber"),
    "intake:referral_submit": Audit("prescriber"),
    # Trainees and their pathway.
    "pathways:trainees": Audit("referent"),
    "pathways:trainee": Audit("referent", {"pk": "trainee"}, phone=True),
    "pathways:plan": Audit("referent", {"pk": "trainee"}),
    "pathways:plan_edit": Audit("referent", {"pk": "trainee"}),
    "pathways:meeting": Audit("referent", {"pk": "trainee", "meeting_pk": "meeting"}),
    "pathways:meeting_create": Audit("referent", {"pk": "trainee"}),
    "pathways:support": Audit("referent", {"pk": "trainee"}),
    "pathways:support_create": Audit("referent", {"pk": "trainee"}),
    "pathways:documents": Audit("referent", {"pk": "trainee"}),
    "pathways:caseloads": Audit("director"),
    # Competencies.
    "competencies:trainee": Audit("referent", {"pk": "trainee"}),
    "competencies:assess": Audit("referent", {"pk": "trainee"}),
    "competencies:grid_trainee": Audit("referent", {"pk": "trainee"}),
    "competencies:grid_group": Audit("referent"),
    "competencies:overview": Audit("referent"),
    "competencies:attestations": Audit("referent", {"pk": "trainee"}),
    "competencies:frameworks": Audit("director"),
    "competencies:framework": Audit("director", {"pk": "framework"}),
    # Schedule and attendance.
    "schedule:week": Audit("referent"),
    "schedule:session": Audit("referent", {"pk": "session"}),
    "schedule:session_new": Audit("director"),
    "schedule:session_attendance": Audit("director", {"pk": "session"}, phone=True),
    "schedule:day_attendance": Audit("referent"),
    "schedule:trainee_attendance": Audit("referent", {"pk": "trainee"}),
    "schedule:attendance_months": Audit("director"),
    "schedule:attendance_rates": Audit("director", phone=True),
    "schedule:occupancy": Audit("director"),
    "schedule:school_statements": Audit("director"),
    "schedule:calendar_feeds": Audit("referent"),
    # Companies and internships.
    "companies:companies": Audit("company_relations"),
    "companies:company": Audit("company_relations", {"pk": "company"}),
    "companies:company_new": Audit("company_relations"),
    "companies:company_events": Audit("company_relations"),
    "companies:internships": Audit("company_relations"),
    "companies:internship": Audit("company_relations", {"pk": "internship"}),
    "companies:internship_new": Audit("company_relations", {"pk": "trainee"}),
    "companies:reviews_overdue": Audit("company_relations"),
    # Exits, outcomes, reporting.
    "outcomes:exits": Audit("director"),
    "outcomes:exit_new": Audit("referent", {"pk": "trainee"}),
    "outcomes:exit_edit": Audit("director", {"pk": "exit"}),
    "outcomes:follow_ups": Audit("director"),
    "outcomes:follow_up_record": Audit("director", {"pk": "follow_up"}),
    "outcomes:definitions": Audit("director"),
    "outcomes:definition_detail": Audit("director", {"pk": "definition"}),
    "outcomes:rates": Audit("director", query=YEAR),
    "reporting:key_figures": Audit("director", query=YEAR, phone=True),
    "reporting:funder_reports": Audit("director"),
    "reporting_network:key_figures": Audit("network", query=YEAR),
    "network_home": Audit("network"),
    # Audit log, data protection, imports, API tokens.
    "audit:trail": Audit("director"),
    "privacy:home": Audit("director"),
    "people:rights": Audit("director"),
    "people:person_rights": Audit("director", {"pk": "person"}),
    "imports:home": Audit("director"),
    "api_tokens:tokens": Audit("director"),
}

#: Names ending so are files (XLSX, PDF, JSON, iCalendar), not HTML pages: not audited.
DOWNLOAD_SUFFIXES = ("_export", "_xlsx", "_pdf", "_json", "_ics", ":feed", ":example", "_download")

_POST = "action answering POST only (its form is on an audited page)"
_SAME = "same template as an audited page: "

#: URL name → why it is not audited.
NOT_AUDITED: dict[str, str] = {
    "favicon": "redirect to a static file",
    "healthz": "JSON for the monitoring",
    "home": "redirect to the member's school",
    "accounts:logout": _POST,
    "accounts:logout_everywhere": "confirmation page of « Mon compte » (audited)",
    "accounts:password_change_done": "one-sentence confirmation in the base layout",
    "accounts:password_reset_done": "one-sentence confirmation in the base layout",
    "accounts:password_reset_complete": "one-sentence confirmation in the base layout",
    "accounts:password_reset_confirm": _SAME + "accounts:password_change (a password form)",
    "accounts:two_factor_setup": "covered by e2e/test_two_factor_journey.py's enrolment",
    "accounts:two_factor_verify": "covered by the login of every audited staff page",
    "accounts:two_factor_disable": _POST,
    "accounts:backup_codes": "covered by e2e/test_two_factor_journey.py",
    "api_tokens:token_revoke": _POST,
    "api_school_tokens:tokens": _SAME + "api_tokens:tokens",
    "api_school_tokens:token_revoke": _POST,
    "companies:agreement_scan": "file upload form of the internship page (audited)",
    "companies:company_archive": _POST,
    "companies:company_edit": _SAME + "companies:company_new",
    "companies:company_event_delete": _POST,
    "companies:company_event_new": "small form of the company page (audited)",
    "companies:contact_active": _POST,
    "companies:contact_edit": _SAME + "companies:company_new (model form)",
    "companies:contact_new": _SAME + "companies:company_new (model form)",
    "companies:guardian_delete": _POST,
    "companies:guardian_edit": "small model form (guardian of a minor)",
    "companies:guardian_new": "small model form (guardian of a minor)",
    "companies:hire_delete": _POST,
    "companies:hire_edit": "small model form (hire after an internship)",
    "companies:hire_new": "small model form (hire after an internship)",
    "companies:hire_new_for_trainee": "small model form (hire after an internship)",
    "companies:internship_cancel": "confirmation form of the internship page",
    "companies:internship_edit": _SAME + "companies:internship_new",
    "companies:internship_goals": "form of the internship page's goals",
    "companies:review_call": _SAME + "tutor_review:form (the same review fields)",
    "companies:review_edit": _SAME + "tutor_review:form (the same review fields)",
    "companies:review_revoke_link": _POST,
    "companies:review_send_link": "one-field form reached from the internship page",
    "companies:review_to_assessment": _POST,
    "companies:signature_delete": _POST,
    "companies:signature_new": "small form of the agreement's signatures",
    "competencies:assessment_correct": _SAME + "competencies:assess",
    "competencies:attestation": "one attestation's summary, from competencies:attestations",
    "competencies:attestation_issue": "confirmation form of competencies:attestations",
    "competencies:attestation_reissue": _POST,
    "competencies:attestation_revoke": "confirmation form of an attestation",
    "competencies:certification_add": "small model form of the competencies page",
    "competencies:certification_edit": "small model form of the competencies page",
    "competencies:framework_area_add": "director's framework editor (draft only)",
    "competencies:framework_area_delete": _POST,
    "competencies:framework_area_edit": "director's framework editor (draft only)",
    "competencies:framework_competency_add": "director's framework editor (draft only)",
    "competencies:framework_competency_delete": _POST,
    "competencies:framework_competency_edit": "director's framework editor (draft only)",
    "competencies:framework_delete": _POST,
    "competencies:framework_edit": "director's framework editor (draft only)",
    "competencies:framework_import": "file upload form of competencies:frameworks",
    "competencies:framework_new_version": _POST,
    "competencies:framework_publish": _POST,
    "competencies:framework_retire": _POST,
    "competencies:framework_use": _POST,
    "competencies:grid_save": "htmx fragment (one row of the grid, audited in the grid)",
    "competencies:positioning": _SAME + "competencies:assess",
    "imports:job": "depends on an uploaded file's run (e2e/test_import_journey.py)",
    "imports:job_abandon": _POST,
    "imports:job_import": _POST,
    "imports:job_progress": "htmx fragment of imports:job",
    "imports:job_restart": _POST,
    "intake:entry_create": _SAME + "intake:decision_create (model form)",
    "intake:my_referral": _SAME + "intake:referral (the prescriber's cut)",
    "intake:registration_cancel": _POST,
    "intake:rules_create": "director's versioned rules form",
    "intake:session_edit": _SAME + "intake:session_create",
    "organisations:funding_create": _SAME + "organisations:site_create (model form)",
    "organisations:funding_edit": _SAME + "organisations:site_create (model form)",
    "organisations:partner_create": _SAME + "organisations:site_create (model form)",
    "organisations:partner_edit": _SAME + "organisations:site_create (model form)",
    "organisations:room_create": _SAME + "organisations:site_create (model form)",
    "organisations:room_edit": _SAME + "organisations:site_create (model form)",
    "organisations:site_edit": _SAME + "organisations:site_create",
    "organisations:staff_deactivate": _POST,
    "organisations:staff_reactivate": _POST,
    "outcomes:definition_edit": _SAME + "outcomes:definition_detail's form",
    "outcomes:definition_new": _SAME + "outcomes:definition_detail's form",
    "outcomes:exit_undo": "confirmation form of the exit",
    "outcomes:headline_choose": "one-select form of outcomes:definitions",
    "pathways:document_upload": "file upload form of pathways:documents",
    "pathways:phase_move": "form of the trainee page (audited)",
    "pathways:reassign": _POST,
    "pathways:settings": "director's phase list form",
    "pathways:share": "form of the trainee page's sharing",
    "pathways:share_revoke": _POST,
    "pathways:support_edit": _SAME + "pathways:support_create",
    "people:notice_new": "small form of people:person_rights",
    "people:request_answer": "small form of people:person_rights",
    "people:request_new": "small form of people:person_rights",
    "privacy:hold_lift": _POST,
    "privacy:hold_place": "small form of privacy:home",
    "privacy:retention": "one-field form of privacy:home",
    "reporting:funder_report": "several reports from one form (reporting:funder_reports)",
    "schedule:calendar_feed_create": _POST,
    "schedule:calendar_feed_revoke": _POST,
    "schedule:month_close": _POST,
    "schedule:month_reopen": _POST,
    "schedule:session_cancel": "confirmation form of schedule:session",
    "schedule:session_edit": _SAME + "schedule:session_new",
    "schedule:session_trainees": "trainee picker of schedule:session",
    "schedule:trainee_statement": "monthly statement (printable page of a trainee's marks)",
    "schedule:workshop_types": "director's settings list",
}


def is_download(name: str) -> bool:
    return name.endswith(DOWNLOAD_SUFFIXES)
