"""People URLs under /e/<school_slug>/: the person's rights (requests, notices, export)."""

from . import views_rights

app_name = "people"

urlpatterns = [*views_rights.urlpatterns]
