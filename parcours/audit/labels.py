"""French labels of audit actions: one mapping from action prefix to a family.

An action code is ``<prefix>.<verb>`` (``exit.record``, ``restricted.read.health``). Its family
is the longest prefix listed in :data:`FAMILIES` that the code starts with; its label is the
family's label and the verb's (``Sorties — enregistrement``), or the code's own wording when
:data:`ACTIONS` has one (where the verb alone would say too little). An unknown code is shown
as is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    prefixes: tuple[str, ...]


#: The families offered by the journal's "action" filter, in the order shown.
FAMILIES: tuple[Family, ...] = (
    Family("restricted_read", _("Lecture de contenu restreint"), ("restricted.read",)),
    Family("restricted_share", _("Partage de contenu restreint"), ("restricted.",)),
    Family("documents", _("Documents"), ("document.",)),
    Family("people", _("Personnes et représentants légaux"), ("person.", "guardian.", "people.")),
    Family(
        "intake",
        _("Candidatures et admissions"),
        ("referral.", "interview.", "eligibility_rules.", "enrolment.create"),
    ),
    Family("info_sessions", _("Informations collectives"), ("info_session.", "registration.")),
    Family(
        "pathways",
        _("Parcours"),
        ("enrolment.", "plan.", "phase.", "school.pathway_lengths"),
    ),
    Family("meetings", _("Entretiens et accompagnement"), ("meeting.", "support_action.")),
    Family("competencies", _("Compétences et attestations"), ("competencies.", "attestation.")),
    Family("schedule", _("Planning"), ("session.", "workshop_type.", "calendar_feed.")),
    Family("attendance", _("Présences"), ("attendance.", "statement.")),
    Family("companies", _("Entreprises"), ("company.", "contact.", "company_event.")),
    Family(
        "internships",
        _("Stages, conventions et embauches"),
        ("internship.", "agreement.", "companies.", "hire."),
    ),
    Family("exits", _("Sorties et suivis"), ("exit.", "exit_follow_up.")),
    Family("outcomes", _("Définitions de résultats"), ("outcome_definition.", "outcome_headline.")),
    Family("exports", _("Exports"), ("export.", "audit.export")),
    Family("imports", _("Imports"), ("import.", "import_job.")),
    Family(
        "organisation",
        _("École, équipe et partenaires"),
        ("site.", "room.", "partner.", "funding_agreement.", "membership.", "staff.", "school."),
    ),
    Family(
        "accounts",
        _("Comptes et connexions"),
        ("account.", "accounts.", "login.", "otp.", "api_token."),
    ),
    Family(
        "privacy",
        _("Protection des données"),
        (
            "privacy.",
            "retention.",
            "subject_access.",
            "subject_request.",
            "privacy_notice.",
            "anonymisation.",
            "legal_hold.",
            "person.anonymise",
            "registration.anonymise",
            "school.retention",
        ),
    ),
)

FAMILY_BY_KEY = {family.key: family for family in FAMILIES}

#: Verbs (the last part of a code) and how the journal says them.
VERBS: dict[str, str] = {
    "create": _("création"),
    "create_series": _("création d'une série"),
    "update": _("modification"),
    "delete": _("suppression"),
    "record": _("enregistrement"),
    "correct": _("correction"),
    "correction": _("correction"),
    "undo": _("annulation"),
    "cancel": _("annulation"),
    "download": _("téléchargement"),
    "export": _("export"),
    "funder_report": _("rapport financeur"),
    "trainees": _("stagiaires"),
    "health": _("santé"),
    "meeting": _("compte rendu confidentiel"),
    "support": _("accompagnement"),
    "document": _("document"),
    "documents": _("liste des documents"),
    "trainee_page": _("fiche du stagiaire"),
    "share": _("partage"),
    "unshare": _("fin du partage"),
    "phase": _("changement de phase"),
    "referent": _("changement de référent·e"),
    "decision": _("décision"),
    "eligibility_override": _("dérogation d'éligibilité"),
    "positioning": _("positionnement"),
    "assessment": _("évaluation"),
    "evidence": _("preuve"),
    "certification_create": _("certification ajoutée"),
    "certification_update": _("certification modifiée"),
    "issue": _("délivrance"),
    "revoke": _("révocation"),
    "reissue": _("nouvelle délivrance"),
    "mark_day": _("émargement d'une journée"),
    "mark_session": _("émargement d'une séance"),
    "company_days": _("jours en entreprise"),
    "company_days_clear": _("jours en entreprise retirés"),
    "month_close": _("clôture du mois"),
    "month_reopen": _("réouverture du mois"),
    "goals": _("objectifs"),
    "follow_ups_due": _("suivis à faire créés"),
    "signature_create": _("signature"),
    "signature_delete": _("signature retirée"),
    "signatures_reset": _("signatures remises à zéro"),
    "scan_upload": _("dépôt du scan signé"),
    "tutor_link_sent": _("lien envoyé au tuteur"),
    "tutor_link_revoked": _("lien du tuteur révoqué"),
    "tutor_link_reminder": _("relance du tuteur"),
    "review_submitted": _("bilan reçu du tuteur"),
    "review_recorded": _("bilan saisi"),
    "review_updated": _("bilan modifié"),
    "review_to_assessment": _("bilan reporté en évaluations"),
    "archive": _("archivage"),
    "unarchive": _("désarchivage"),
    "activate": _("activation"),
    "deactivate": _("désactivation"),
    "reactivate": _("réactivation"),
    "rename": _("renommage"),
    "move": _("déplacement"),
    "attendance": _("présences"),
    "public": _("inscription en ligne"),
    "link": _("rattachement"),
    "default": _("règles par défaut"),
    "version": _("nouvelle version"),
    "choose": _("choix"),
    "pathway_lengths": _("durées de parcours"),
}


#: Whole codes whose wording is their own, rather than their verb's.
ACTIONS: dict[str, str] = {
    "account.password.change": _("mot de passe changé"),
    "account.password.reset": _("mot de passe réinitialisé"),
    "account.sessions.end_all": _("déconnexion de toutes les sessions"),
    "account.two_factor.enable": _("double authentification activée"),
    "account.two_factor.disable": _("double authentification désactivée"),
    "account.two_factor.backup_codes": _("nouveaux codes de secours"),
    "person.anonymise": _("anonymisation d'une personne"),
    "registration.anonymise": _("anonymisation d'inscriptions sans candidature"),
    "school.retention": _("durée de conservation des données"),
    "legal_hold.place": _("conservation pour motif légal posée"),
    "legal_hold.lift": _("conservation pour motif légal levée"),
    "subject_request.create": _("demande d'une personne sur ses données enregistrée"),
    "subject_request.answer": _("réponse à une demande d'une personne"),
    "privacy_notice.create": _("notice d'information remise"),
    "subject_access.export": _("export des données d'une personne (droit d'accès)"),
    "subject_access.rate_limited": _("export des données refusé (trop de demandes)"),
    "export.companies": _("export des entreprises partenaires"),
    "export.company_events": _("export de l'historique des échanges avec les entreprises"),
    "export.internships": _("export des stages et PMSMP"),
    "export.reviews_overdue": _("export des bilans de stage en retard"),
    "export.exits": _("export des sorties"),
    "export.follow_ups": _("export des suivis après la sortie"),
    "export.rates": _("export des résultats des sorties"),
    "export.definitions": _("export des définitions de sortie réussie"),
    "export.week_sessions": _("export des séances de la semaine"),
    "export.room_occupancy": _("export de l'occupation des salles"),
    "export.attendance_months": _("export des mois d'émargement"),
    "export.attendance_rates": _("export de l'assiduité"),
    "export.workshop_types": _("export des types d'atelier"),
    "export.competency_progress": _("export de la répartition des niveaux de compétences"),
    "export.caseloads": _("export des référents et de leurs suivis"),
    "export.retention_due": _("export des personnes à anonymiser"),
    "export.legal_holds": _("export des conservations pour motif légal"),
    "export.retention_runs": _("export des passages de l'anonymisation"),
    # Exports of the intake, organisation and people-rights lists (issue 11).
    "export.staff": _("export de la liste de l'équipe"),
    "export.partners": _("export des partenaires"),
    "export.funding": _("export des conventions de financement"),
    "export.referrals": _("export des candidatures"),
    "export.my_referrals": _("export des orientations suivies par un prescripteur"),
    "export.info_sessions": _("export des informations collectives"),
    "export.session_registrations": _("export des inscriptions à une information collective"),
    "export.subject_requests": _("export des demandes des personnes sur leurs données"),
    "import.enrolments": _("import de stagiaires depuis un fichier (personnes, parcours, sorties)"),
    "import_job.create": _("fichier déposé pour un import"),
    "import_job.confirm": _("import confirmé après la vérification"),
    "import_job.restart": _("vérification relancée après une interruption"),
    "import_job.abandon": _("import abandonné (fichier supprimé)"),
    "api_token.create": _("jeton d'accès à l'API créé"),
    "api_token.revoke": _("jeton d'accès à l'API révoqué"),
}


def family_of(action: str) -> Family | None:
    """The family whose longest prefix ``action`` starts with."""
    best: tuple[int, Family] | None = None
    for family in FAMILIES:
        for prefix in family.prefixes:
            if (action == prefix or action.startswith(prefix)) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), family)
    return best[1] if best else None


def action_label(action: str) -> str:
    """``Famille — verbe`` for a known code; the code itself otherwise."""
    family = family_of(action)
    if family is None:
        return action
    verb = ACTIONS.get(action) or VERBS.get(action.rsplit(".", 1)[-1])
    if verb is None:
        return f"{family.label} — {action}"
    return f"{family.label} — {verb}"


def family_prefixes(key: str) -> tuple[str, ...]:
    family = FAMILY_BY_KEY.get(key)
    return family.prefixes if family else ()
