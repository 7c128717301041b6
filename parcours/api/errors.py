"""The API's error answers: every 4xx is JSON with a French ``detail``; a 422 also lists the
problems as ``errors: [{loc, message}]``.

Handlers replace ninja's defaults (``install``); ``document_errors`` adds the shapes to every
operation of the OpenAPI document. Endpoints raise:

- ``django.http.Http404`` (the selectors already do: another school's object) → 404;
- ``django.core.exceptions.PermissionDenied`` → 403;
- ``django.core.exceptions.ValidationError`` (a service refusing the input, French messages,
  field names become ``loc: ["body", field]``) → 422;
- ``invalid(form.errors, location="query")`` for a Django form used to check the input → 422;
- ``ApiError(status, "message")`` for anything else (e.g. 409).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class ApiError(HttpError):
    """Raise to answer ``status`` with ``{"detail": message}`` (French)."""


NOT_AUTHENTICATED = (
    "Jeton d'accès absent, inconnu, expiré ou révoqué (en-tête Authorization: Bearer …)."
)
FORBIDDEN = "Votre rôle ne permet pas cette opération."
NOT_FOUND = "Ressource introuvable."
INVALID = "Les données envoyées ne sont pas valides."

#: French wording of pydantic's error types (the others: "Valeur invalide").
_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_type": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "bool_parsing": "Un booléen est attendu (true ou false).",
    "string_type": "Une chaîne de caractères est attendue.",
    "date_parsing": "Une date est attendue (AAAA-MM-JJ).",
    "date_from_datetime_parsing": "Une date est attendue (AAAA-MM-JJ).",
    "date_from_datetime_inexact": "Une date sans heure est attendue (AAAA-MM-JJ).",
    "date_type": "Une date est attendue (AAAA-MM-JJ).",
    "datetime_parsing": "Une date et heure est attendue (ISO 8601).",
    "json_invalid": "Le corps de la requête n'est pas du JSON valide.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "dict_type": "Un objet JSON est attendu.",
    "list_type": "Une liste est attendue.",
    "extra_forbidden": "Champ inconnu.",
    "uuid_parsing": "Un identifiant UUID est attendu.",
}


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])  # our validators raise French messages
    if kind in ("greater_than_equal", "greater_than"):
        return f"La valeur doit être supérieure ou égale à {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"La valeur doit être inférieure ou égale à {ctx.get('le', ctx.get('lt'))}."
    if kind == "string_too_long":
        return f"Au plus {ctx.get('max_length')} caractères."
    if kind == "string_too_short":
        return f"Au moins {ctx.get('min_length')} caractère(s)."
    if kind in ("enum", "literal_error"):
        return f"Valeur inconnue ; valeurs permises : {ctx.get('expected', '')}."
    if kind == "string_pattern_mismatch":
        return "Format invalide."
    return "Valeur invalide."


def _loc(error: dict[str, Any]) -> list[str | int]:
    loc = list(error.get("loc") or [])
    # ninja puts the parameter's name after the place ("body", "payload", "name"): drop it
    # when the whole body or query is one schema, so clients read ["body", "name"].
    if len(loc) >= 2 and loc[0] in ("body", "query", "path", "form") and loc[1] in _WRAPPERS:
        del loc[1]
    return [part if isinstance(part, int) else str(part) for part in loc]


#: The names our endpoints give to a parameter that is a whole schema.
_WRAPPERS = {"payload", "params", "filters", "paging", "data"}


def validation_response(errors: list[dict[str, Any]], status: int = 422) -> JsonResponse:
    return JsonResponse(
        {"detail": INVALID, "errors": [{"loc": _loc(e), "message": _message(e)} for e in errors]},
        status=status,
    )


def _json(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return validation_response(list(exc.errors))


def _on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            loc: list[str | int] = ["body"] if field == NON_FIELD_ERRORS else ["body", field]
            errors.extend({"loc": loc, "message": str(m)} for m in messages)
    else:
        errors.extend({"loc": ["body"], "message": str(m)} for m in exc.messages)
    return JsonResponse({"detail": INVALID, "errors": errors}, status=422)


def _on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _json(NOT_AUTHENTICATED, 401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = int(exc.wait or 60)
    response = _json(f"Trop de requêtes : réessayez dans {wait} secondes.", 429)
    response["Retry-After"] = str(wait)
    return response


_DEFAULTS = {
    400: "Le corps de la requête est illisible (JSON attendu).",
    403: FORBIDDEN,
    404: NOT_FOUND,
}


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiError):
        return _json(str(exc), exc.status_code)
    # ninja's own errors (English): our wording.
    if exc.status_code == 403 and str(exc) != "Forbidden":
        return _json(str(exc), 403)  # raised by TokenAuth, in French
    return _json(_DEFAULTS.get(exc.status_code, "Requête refusée."), exc.status_code)


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _json(FORBIDDEN, 403)


def _on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _json(NOT_FOUND, 404)


def install(api) -> None:
    """Replace ninja's default handlers (an unexpected exception still becomes Django's 500)."""
    api.add_exception_handler(NinjaValidationError, _on_validation)
    api.add_exception_handler(DjangoValidationError, _on_django_validation)
    api.add_exception_handler(AuthenticationError, _on_authentication)
    api.add_exception_handler(Throttled, _on_throttled)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)
    api.add_exception_handler(Http404, _on_404)


def invalid(messages: dict[str, list[str]], *, location: str = "body", rename: dict | None = None):
    """Raise a 422 listing ``{field: [French message, …]}`` at ``[location, field]`` (a Django
    form's ``errors``: ``invalid(form.errors, location="query")``); ``rename`` maps a form
    field to the API's name for it. ``__all__`` (a form's non-field errors) is ``[location]``."""
    rename = rename or {}
    errors = []
    for field, texts in messages.items():
        loc = (location,) if field == NON_FIELD_ERRORS else (location, rename.get(field, field))
        for text in texts:
            errors.append(
                {"loc": loc, "msg": str(text), "type": "value_error", "ctx": {"error": text}}
            )
    raise NinjaValidationError(errors)


def not_found_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any other path under the API: a JSON 404 rather than the web's HTML page."""
    return _json(NOT_FOUND, 404)


# --- The OpenAPI side ---------------------------------------------------------------------

_ERROR_RESPONSES = {
    "400": ("Requête illisible (corps JSON invalide…).", "ErrorOut"),
    "401": ("Jeton absent, inconnu, expiré ou révoqué.", "ErrorOut"),
    "403": ("Le rôle du jeton ne permet pas cette opération.", "ErrorOut"),
    "404": ("Introuvable (ou d'une autre école, ou d'un autre prescripteur).", "ErrorOut"),
    "422": ("Données refusées : la liste des problèmes, champ par champ.", "ValidationErrorOut"),
    "429": ("Trop de requêtes (voir l'en-tête Retry-After).", "ErrorOut"),
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error shapes to the components and to every operation's responses."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ValidationErrorOut):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in definition.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components.setdefault(model.__name__, definition)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, (description, model) in _ERROR_RESPONSES.items():
                entry = responses.setdefault(status, {"description": description})
                entry.setdefault(
                    "content",
                    {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
                )
            responses["401"].setdefault(
                "headers", {"WWW-Authenticate": {"schema": {"type": "string"}}}
            )
            responses["429"].setdefault(
                "headers",
                {
                    "Retry-After": {
                        "description": "Secondes à attendre.",
                        "schema": {"type": "string"},
                    }
                },
            )
    return schema
