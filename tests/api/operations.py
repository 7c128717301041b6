"""Every operation of the API, from ninja's router tree (what the permission walk covers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parcours.api.api import api
from parcours.api.auth import declared_perm

_PARAM = re.compile(r"{(?:\w+:)?(\w+)}")


@dataclass(frozen=True)
class Op:
    method: str
    path: str  # "/api/v1/referrals/{referral_id}"
    operation_id: str
    perm: object  # a Perm, ANY_MEMBERSHIP, or None (undeclared)

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    def url(self, values: dict[str, object]) -> str:
        return _PARAM.sub(lambda m: str(values[m.group(1)]), self.path)


def all_operations() -> list[Op]:
    api.urls  # noqa: B018 - binds the routers
    found = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            parts = [p.strip("/") for p in (bound.prefix, path) if p.strip("/")]
            full = "/api/v1/" + "/".join(parts)
            for operation in path_view.operations:
                for method in operation.methods:
                    found.append(
                        Op(
                            method=method,
                            path=full,
                            operation_id=api.get_openapi_operation_id(operation),
                            perm=declared_perm(operation),
                        )
                    )
    return sorted(found, key=lambda op: (op.path, op.method))
