"""URL access table of meetings, support actions, documents and restricted sharing.

See tests/url_tables.py. Every ``pk`` is the enrolment; the other kwargs name its objects.
"""

from parcours.organisations.access import Perm

URL_PERMS = {
    "pathways:meeting_create": Perm.MANAGE_PATHWAY,
    "pathways:meeting": Perm.VIEW_TRAINEES,
    "pathways:support": Perm.VIEW_SUPPORT,
    "pathways:support_create": Perm.MANAGE_PATHWAY,
    "pathways:support_edit": Perm.MANAGE_PATHWAY,
    "pathways:documents": Perm.VIEW_TRAINEES,
    "pathways:document_upload": Perm.MANAGE_PATHWAY,
    "pathways:document_download": Perm.VIEW_TRAINEES,
    "pathways:share": Perm.MANAGE_PATHWAY,
    "pathways:share_revoke": Perm.MANAGE_PATHWAY,
}

PK_OBJECTS = {name: "enrolment" for name in URL_PERMS}

KWARG_OBJECTS = {
    "meeting_pk": ("meeting", "pk"),
    "action_pk": ("support_action", "pk"),
    "doc_pk": ("document", "pk"),
    "share_pk": ("share", "pk"),
}
