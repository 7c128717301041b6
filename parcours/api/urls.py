from django.http import JsonResponse
from django.urls import path, re_path

from .api import api
from .errors import not_found_view


def index(request):
    """``/api/v1/``: where the document and the docs are (no data, no token needed)."""
    return JsonResponse(
        {
            "title": api.title,
            "version": api.version,
            "openapi": request.build_absolute_uri("openapi.json"),
            "docs": request.build_absolute_uri("docs"),
        }
    )


urlpatterns = [
    # Unnamed (not pages of the URL walk): the index, then ninja's URLs, then a JSON 404 for
    # anything else under /api/v1/.
    path("", index),
    path("", api.urls),
    re_path(r"^.*$", not_found_view),
]
