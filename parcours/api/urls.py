import functools

from django.http import JsonResponse
from django.urls import URLPattern, path, re_path

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


def _json_405(view):
    """ninja answers a method an address does not take with an empty 405: ours is JSON."""

    @functools.wraps(view)  # keeps csrf_exempt
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse({"detail": "Méthode non permise à cette adresse."}, status=405)
            response["Allow"] = allowed
        return response

    return wrapped


_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = _json_405(_pattern.callback)

urlpatterns = [
    # Unnamed (not pages of the URL walk): the index, then ninja's URLs, then a JSON 404 for
    # anything else under /api/v1/.
    path("", index),
    path("", (_patterns, _app_name, _namespace)),
    re_path(r"^.*$", not_found_view),
]
