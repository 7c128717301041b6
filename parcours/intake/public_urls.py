"""The public agenda of information sessions, under /agenda/<school_slug>/ (no login)."""

from .views import agenda

app_name = "agenda"

urlpatterns = [*agenda.urlpatterns]
