"""URL access table of the competency frameworks (référentiels)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "competencies:frameworks": Perm.VIEW_TRAINEES,
    "competencies:framework": Perm.VIEW_TRAINEES,
    "competencies:framework_export_json": Perm.VIEW_TRAINEES,
    "competencies:framework_export_xlsx": Perm.VIEW_TRAINEES,
    "competencies:framework_import": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_new_version": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_edit": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_publish": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_use": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_retire": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_delete": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_area_add": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_area_edit": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_area_delete": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_competency_add": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_competency_edit": Perm.MANAGE_FRAMEWORKS,
    "competencies:framework_competency_delete": Perm.MANAGE_FRAMEWORKS,
}

PK_OBJECTS = {
    name: "framework"
    for name in URL_PERMS
    if name
    not in (
        "competencies:frameworks",
        "competencies:framework_import",
        "competencies:framework_area_edit",
        "competencies:framework_area_delete",
        "competencies:framework_competency_edit",
        "competencies:framework_competency_delete",
    )
}

KWARG_OBJECTS = {
    "area_pk": ("draft_competency", "area_id"),
    "competency_pk": ("draft_competency", "pk"),
}
