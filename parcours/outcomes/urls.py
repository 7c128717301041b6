"""Exit and outcome URLs under /e/<school_slug>/ (each view module lists its own patterns)."""

from .views import definitions, exits, follow_ups, rates

app_name = "outcomes"

urlpatterns = [
    *exits.urlpatterns,
    *follow_ups.urlpatterns,
    *rates.urlpatterns,
    *definitions.urlpatterns,
]
