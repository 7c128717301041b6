"""The API instance: ``/api/v1/``, its OpenAPI document and its Swagger page.

Every router is registered HERE (and nowhere else), each operation declaring its permission
with ``auth=requires(Perm.X)`` (parcours/api/auth.py; tests/api/test_permissions.py refuses an
operation without one).
"""

from __future__ import annotations

import importlib.util
from typing import Any

from ninja import NinjaAPI

from . import errors
from .auth import TokenAuth
from .throttling import TokenRateThrottle


class ParcoursAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__  # unique across the API (ninja warns otherwise)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return errors.document_errors(schema)


DESCRIPTION = """API REST de Parcours. Authentification : `Authorization: Bearer <jeton>` (jetons
créés dans « Mon compte » › « Accès à l'API »). Chaque jeton agit au nom d'UN rattachement
(une école et un rôle) et voit exactement ce que ce rattachement voit dans l'interface web.
Documentation : docs/api.md."""

api = ParcoursAPI(
    title="API Parcours",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    docs_url="/docs",
    # Default for an operation that forgot ``auth=requires(…)``: a valid token is needed,
    # and the permission test fails on the missing declaration.
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
)
errors.install(api)


def _register() -> None:
    from .routers import figures, me, referrals

    api.add_router("", me.router, tags=["Compte"])
    api.add_router("/referrals", referrals.router, tags=["Orientations (prescripteurs)"])
    api.add_router("", figures.router, tags=["Chiffres clés (agrégés)"])

    # ---- Staff endpoints (api-staff): parcours/api/staff/ registers its routers here. ----
    if importlib.util.find_spec("parcours.api.staff") is not None:  # absent until merged
        from parcours.api.staff import register as register_staff

        register_staff(api)


_register()
