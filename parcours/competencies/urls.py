"""Competency URLs under /e/<school_slug>/ (each view module lists its own patterns)."""

from .views import assessments, attestations, certifications, frameworks, grid, progress

app_name = "competencies"

urlpatterns = [
    *frameworks.urlpatterns,
    *assessments.urlpatterns,
    *grid.urlpatterns,
    *certifications.urlpatterns,
    *progress.urlpatterns,
    *attestations.urlpatterns,
]
