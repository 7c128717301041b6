"""Schedule URLs under /e/<school_slug>/ (each view module lists its own patterns)."""

from .views import attendance, calendar, sessions, settings, statements, timetable

app_name = "schedule"

urlpatterns = [
    *timetable.urlpatterns,
    *sessions.urlpatterns,
    *attendance.urlpatterns,
    *statements.urlpatterns,
    *calendar.urlpatterns,
    *settings.urlpatterns,
]
