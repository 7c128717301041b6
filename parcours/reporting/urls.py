"""Report URLs under /e/<school_slug>/ (each view module lists its own patterns)."""

from .views import funders, key_figures

app_name = "reporting"

urlpatterns = [
    *key_figures.urlpatterns,
    *funders.urlpatterns,
]
