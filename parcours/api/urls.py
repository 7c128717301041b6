from django.urls import path, re_path

from .api import api
from .errors import not_found_view

urlpatterns = [
    path("", api.urls),
    # Anything else under /api/v1/: a JSON 404 (unnamed: not a page of the URL walk).
    re_path(r"^.*$", not_found_view),
]
