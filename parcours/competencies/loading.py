"""Create a framework's rows from its interchange data (already validated).

Used by the import service and by the migration that ships the default framework; the model
classes are passed in so that the migration can use its historical models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT_FRAMEWORK_FILE = Path(__file__).parent / "data" / "transversal-e2c-v1.json"


def default_framework_data() -> dict[str, Any]:
    return json.loads(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))


def create_framework_rows(data: dict[str, Any], *, models: Any, **framework_fields: Any):
    """Create a ``Framework`` and its scale, areas, competencies and descriptors.

    ``models`` has attributes ``Framework``, ``ScaleLevel``, ``Area``, ``Competency`` and
    ``LevelDescriptor``; ``framework_fields`` sets ``school``, ``family``, ``version``,
    ``status``… (they win over ``data``).
    """
    fields = {
        "family": data["family"],
        "name": data["name"],
        "version": data["version"],
        "description": data.get("description") or "",
        **framework_fields,
    }
    framework = models.Framework.objects.create(**fields)
    models.ScaleLevel.objects.bulk_create(
        models.ScaleLevel(
            framework=framework,
            value=item["level"],
            label=item["label"],
            description=item.get("description") or "",
        )
        for item in data["scale"]
    )
    areas: dict[str, Any] = {}
    pending = list(enumerate(data["areas"]))
    while pending:  # parents before children (the data has no cycle: it was validated)
        later = []
        for position, item in pending:
            parent_code = item.get("parent") or None
            if parent_code and parent_code not in areas:
                later.append((position, item))
                continue
            areas[item["code"]] = models.Area.objects.create(
                framework=framework,
                parent=areas.get(parent_code) if parent_code else None,
                code=item["code"],
                title=item["title"],
                position=position,
            )
        if len(later) == len(pending):
            raise ValueError("cycle or unknown parent in areas")
        pending = later
    for position, item in enumerate(data["competencies"]):
        competency = models.Competency.objects.create(
            framework=framework,
            area=areas[item["area"]],
            code=item["code"],
            title=item["title"],
            description=item.get("description") or "",
            position=position,
        )
        models.LevelDescriptor.objects.bulk_create(
            models.LevelDescriptor(competency=competency, value=int(value), description=text)
            for value, text in sorted(item["levels"].items(), key=lambda kv: int(kv[0]))
        )
    return framework
