"""URL access table of the tutor reviews (staff screens) and the tutor's public page."""

from parcours.organisations.access import Perm

URL_PERMS = {
    # The world's internship already has a review: the pages say so (200).
    "companies:review_send_link": Perm.RECORD_REVIEWS,
    "companies:review_revoke_link": Perm.RECORD_REVIEWS,
    "companies:review_call": Perm.RECORD_REVIEWS,
    "companies:review_edit": Perm.RECORD_REVIEWS,
    "companies:review_to_assessment": Perm.ASSESS,
    "companies:reviews_overdue": Perm.VIEW_TRAINEES,
    "companies:reviews_overdue_export": Perm.VIEW_TRAINEES,
}

#: No login: the token is the key. The world's link belongs to an internship whose review is
#: already recorded, so everybody gets the neutral "link no longer valid" page (404).
OPEN_URLS = {
    "tutor_review:form": {"*": 404},
    "tutor_review:thanks": {"*": 200},
}

KWARG_OBJECTS = {
    # (``internship_pk`` is listed in url_table_agreements.py.)
    "observation_pk": ("review_competency", "pk"),
    "tutor_token": ("tutor_link", "token"),
}
