"""Pathway URLs under /e/<school_slug>/ (each view module lists its own patterns)."""

from .views import caseloads, documents, follow_up, plan, settings, trainee, trainees

app_name = "pathways"

urlpatterns = [
    *trainees.urlpatterns,
    *caseloads.urlpatterns,
    *settings.urlpatterns,
    *trainee.urlpatterns,
    *plan.urlpatterns,
    *follow_up.urlpatterns,
    *documents.urlpatterns,
]
