"""Company and internship URLs under /e/<school_slug>/ (each view module lists its patterns)."""

from .views import agreements, companies, internships, reviews

app_name = "companies"

urlpatterns = [
    *companies.urlpatterns,
    *internships.urlpatterns,
    *agreements.urlpatterns,
    *reviews.urlpatterns,
]
