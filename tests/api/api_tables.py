"""Collects the API walk's tables: ``tests/api/**/api_table*.py`` (like tests/url_tables.py).

Each module may define:
- ``PATH_OBJECTS``: ``{path_parameter: world_objects_key}``: the object of the test world
  (``world.objects`` for school A, ``world.others`` for school B) whose ``pk`` fills the
  parameter (e.g. ``{"referral_id": "referral"}``);
- ``STATUS``: ``{operation_id: {who: status}}``: the expected status of an ALLOWED call where
  it is not the default (GET 200; a write sent with an empty JSON body: 422 or 2xx);
- ``BODIES``: ``{operation_id: callable(world) -> dict}``: the JSON body the walk sends to a
  write operation (default ``{}``).
"""

from __future__ import annotations

import importlib
from pathlib import Path


def collect_api_tables():
    path_objects, status, bodies = {}, {}, {}
    root = Path(__file__).parent
    for path in sorted(root.rglob("api_table*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = importlib.import_module(".".join(("tests", *parts)))
        for target, name in (
            (path_objects, "PATH_OBJECTS"),
            (status, "STATUS"),
            (bodies, "BODIES"),
        ):
            table = getattr(module, name, {})
            clash = set(table) & set(target)
            assert not clash, f"{module.__name__}: {name} entries listed twice: {clash}"
            target.update(table)
    return path_objects, status, bodies
