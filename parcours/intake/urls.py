"""Intake URLs under /e/<school_slug>/ (each view module lists its own patterns)."""

from .views import board, exports, prescriber, referrals, rules, sessions

app_name = "intake"

urlpatterns = [
    *board.urlpatterns,
    *referrals.urlpatterns,
    *sessions.urlpatterns,
    *prescriber.urlpatterns,
    *rules.urlpatterns,
    *exports.urlpatterns,
]
