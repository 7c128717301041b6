"""Collects the URL access tables of every area: ``tests/**/url_table*.py``.

Each module may define:
- ``URL_PERMS``: ``{url_name: Perm}``, the permission the URL's view must require;
- ``OPEN_URLS``: ``{url_name: {who: status, "*": status}}`` for views without a permission;
- ``PK_OBJECTS``: ``{url_name: key}``, the ``world.objects`` key that the URL's ``pk`` names;
- ``KWARG_OBJECTS``: ``{kwarg: (key, attribute)}`` for other kwargs (``token``…).
"""

from __future__ import annotations

import importlib
from pathlib import Path


def collect_tables():
    url_perms, open_urls, pk_objects, kwarg_objects = {}, {}, {}, {}
    root = Path(__file__).parent
    for path in sorted(root.rglob("url_table*.py")):
        module_name = ".".join(("tests", *path.relative_to(root).with_suffix("").parts))
        module = importlib.import_module(module_name)
        for target, name in (
            (url_perms, "URL_PERMS"),
            (open_urls, "OPEN_URLS"),
            (pk_objects, "PK_OBJECTS"),
            (kwarg_objects, "KWARG_OBJECTS"),
        ):
            table = getattr(module, name, {})
            clash = set(table) & set(target)
            assert not clash, f"{module_name}: {name} entries listed twice: {clash}"
            target.update(table)
    return url_perms, open_urls, pk_objects, kwarg_objects
