"""Competency frameworks: the list by family, a version's page, exports, import and editing.

Reading needs ``VIEW_TRAINEES``; every write needs ``MANAGE_FRAMEWORKS`` and goes through
``services_frameworks``. A published (or shared) version shows no edit action; its edit pages
explain why and refuse to write (400).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view

from .. import selectors, selectors_frameworks
from .. import services_frameworks as services
from ..forms.frameworks import AreaForm, CompetencyForm, FrameworkEditForm, FrameworkImportForm
from ..interchange import (
    data_from_json_bytes,
    data_from_xlsx,
    framework_to_data,
    framework_to_json,
    framework_to_xlsx,
    validate_framework_data,
)
from ..models import Framework, FrameworkStatus

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _list_url(request: HttpRequest) -> str:
    return reverse("competencies:frameworks", args=[request.membership.school.slug])


def _detail_url(request: HttpRequest, framework: Framework) -> str:
    return reverse("competencies:framework", args=[request.membership.school.slug, framework.pk])


def _edit_blocked(request: HttpRequest, framework: Framework) -> str | None:
    """Why ``framework`` cannot be edited by this school, or None."""
    if framework.school_id != request.membership.school_id:
        return _(
            "Ce référentiel est commun à toutes les écoles : il ne peut pas être modifié. "
            "Créez-en une nouvelle version pour votre école."
        )
    if not framework.is_draft:
        return services.read_only_message()
    return None


def _bound(request: HttpRequest, *, files: bool = False) -> tuple:
    """A form's data (and files): bound on POST, even when the POST is empty."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


# ------------------------------------------------------------------------------ reading


@school_view(Perm.VIEW_TRAINEES)
def framework_list(request: HttpRequest) -> HttpResponse:
    context = selectors_frameworks.framework_families(request.membership)
    return render(request, "competencies/frameworks/list.html", context)


def _tree_rows(tree: dict) -> list[dict]:
    """Areas in order, each with its depth and its competencies' descriptors per level."""
    areas = tree["areas"]
    parents = {area.pk: area.parent_id for area in areas}
    by_id = {area.pk: area for area in areas}

    def depth(area_id: int) -> int:
        level, seen = 0, {area_id}
        while (area_id := parents.get(area_id)) is not None and area_id not in seen:
            seen.add(area_id)
            level += 1
        return level

    by_parent: dict[int | None, list] = {}
    for area in areas:
        by_parent.setdefault(area.parent_id if area.parent_id in parents else None, []).append(area)
    ordered: list = []

    def walk(parent_id):
        for area in by_parent.get(parent_id, []):
            ordered.append(area)
            walk(area.pk)

    walk(None)
    rows = []
    for area in ordered:
        competencies = []
        for competency in area.competencies.all():
            texts = {d.value: d.description for d in competency.descriptors.all()}
            competencies.append(
                {
                    "competency": competency,
                    "levels": [(level, texts.get(level.value, "")) for level in tree["scale"]],
                }
            )
        rows.append(
            {
                "area": area,
                "parent": by_id.get(area.parent_id),
                "depth": min(depth(area.pk), 3),
                "competencies": competencies,
            }
        )
    return rows


@school_view(Perm.VIEW_TRAINEES)
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    framework = selectors.get_framework(membership, pk)
    tree = selectors.framework_tree(framework)
    in_use = selectors.school_framework(membership.school)
    own = framework.school_id == membership.school_id
    context = {
        "framework": framework,
        "scale": tree["scale"],
        "rows": _tree_rows(tree),
        "competency_count": len(tree["competencies"]),
        "in_use": in_use is not None and in_use.pk == framework.pk,
        "editable": own and framework.is_draft,
        "own": own,
        "is_published": framework.status == FrameworkStatus.PUBLISHED,
    }
    return render(request, "competencies/frameworks/detail.html", context)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(framework: Framework, extension: str) -> str:
    return f"referentiel-{framework.family}-v{framework.version}.{extension}"


@school_view(Perm.VIEW_TRAINEES)
def framework_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)
    return _download(
        framework_to_json(framework),
        "application/json; charset=utf-8",
        _filename(framework, "json"),
    )


@school_view(Perm.VIEW_TRAINEES)
def framework_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)
    return _download(framework_to_xlsx(framework), XLSX_TYPE, _filename(framework, "xlsx"))


# ------------------------------------------------------------------------------ import


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_import(request: HttpRequest) -> HttpResponse:
    form = FrameworkImportForm(*_bound(request, files=True))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            if uploaded.kind == "json":
                data = data_from_json_bytes(uploaded.read())
            else:
                data = data_from_xlsx(uploaded)
            framework = services.import_framework(
                membership=request.membership, data=data, ip_address=client_ip(request)
            )
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(
                request,
                _("Le référentiel « %(name)s » est importé comme brouillon (version %(v)s).")
                % {"name": framework.name, "v": framework.version},
            )
            return redirect(_detail_url(request, framework))
    return render(
        request,
        "competencies/frameworks/import.html",
        {"form": form, "import_errors": errors, "back_url": _list_url(request)},
        status=400 if request.method == "POST" else 200,
    )


# ------------------------------------------------------------------------------ confirmations


def _confirm(
    request: HttpRequest,
    framework: Framework,
    *,
    title: str,
    lead: str,
    button: str,
    blocked: str | None,
    run: Callable[[], tuple[str, str]],
    problems: list[str] | None = None,
    danger: bool = False,
) -> HttpResponse:
    """A confirmation page; its POST calls ``run() -> (redirect url, success message)``."""
    errors: list[str] = []
    if request.method == "POST":
        if blocked:
            errors = [blocked]
        else:
            try:
                url, message = run()
            except ValidationError as error:
                errors = _errors(error)
            else:
                messages.success(request, message)
                return redirect(url)
    return render(
        request,
        "competencies/frameworks/confirm.html",
        {
            "framework": framework,
            "title": title,
            "lead": lead,
            "button": button,
            "blocked": blocked,
            "problems": problems or [],
            "errors": errors,
            "danger": danger,
            "back_url": _detail_url(request, framework),
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)
    blocked = None
    if framework.is_draft:
        blocked = _(
            "Ce brouillon peut être modifié directement : publiez-le avant d'en créer une "
            "nouvelle version."
        )

    def run():
        draft = services.new_version(
            membership=request.membership, framework=framework, ip_address=client_ip(request)
        )
        return _detail_url(request, draft), _(
            "Version %(v)s créée en brouillon : modifiez-la puis publiez-la."
        ) % {"v": draft.version}

    return _confirm(
        request,
        framework,
        title=_("Créer une nouvelle version"),
        lead=_(
            "Une copie de cette version est créée en brouillon pour votre école, avec le numéro "
            "de version suivant. Les évaluations déjà faites restent attachées à la version "
            "actuelle, qui ne change pas."
        ),
        button=_("Créer la nouvelle version"),
        blocked=blocked,
        run=run,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_publish(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)
    blocked = _edit_blocked(request, framework)
    problems = [] if blocked else validate_framework_data(framework_to_data(framework))

    def run():
        services.publish(
            membership=request.membership, framework=framework, ip_address=client_ip(request)
        )
        return _detail_url(request, framework), _(
            "La version %(v)s est publiée : elle ne peut plus être modifiée."
        ) % {"v": framework.version}

    return _confirm(
        request,
        framework,
        title=_("Publier cette version"),
        lead=_(
            "Une version publiée ne peut plus être modifiée : les évaluations faites avec elle "
            "garderont toujours le même sens. Vous pourrez ensuite la choisir pour les "
            "positionnements des nouveaux stagiaires."
        ),
        button=_("Publier la version"),
        blocked=blocked,
        run=run,
        problems=problems,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_use(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    framework = selectors.get_framework(membership, pk)
    blocked = None
    if framework.is_draft:
        blocked = _("Seule une version publiée peut être choisie : publiez d'abord ce brouillon.")
    elif framework.status == FrameworkStatus.RETIRED:
        blocked = _("Cette version est retirée : elle ne peut plus être choisie.")
    in_use = selectors.school_framework(membership.school)

    def run():
        services.choose_school_framework(
            membership=membership, framework=framework, ip_address=client_ip(request)
        )
        return _detail_url(request, framework), _(
            "Les nouveaux stagiaires seront positionnés sur « %(name)s » (version %(v)s)."
        ) % {"name": framework.name, "v": framework.version}

    lead = _(
        "Les stagiaires qui n'ont pas encore été positionnés le seront sur cette version. "
        "Ceux qui l'ont déjà été gardent leur version : leurs évaluations ne changent pas."
    )
    if in_use is not None:
        lead += " " + _("Version en usage aujourd'hui : %(fw)s.") % {"fw": in_use}
    return _confirm(
        request,
        framework,
        title=_("Utiliser cette version dans l'école"),
        lead=lead,
        button=_("Utiliser cette version"),
        blocked=blocked,
        run=run,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_retire(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)
    blocked = None
    if framework.school_id != request.membership.school_id:
        blocked = _("Ce référentiel est commun à toutes les écoles : il ne peut pas être retiré.")
    elif framework.status != FrameworkStatus.PUBLISHED:
        blocked = _("Seule une version publiée peut être retirée.")

    def run():
        services.retire(
            membership=request.membership, framework=framework, ip_address=client_ip(request)
        )
        return _detail_url(request, framework), _("La version %(v)s est retirée.") % {
            "v": framework.version
        }

    return _confirm(
        request,
        framework,
        title=_("Retirer cette version"),
        lead=_(
            "Une version retirée reste consultable avec les évaluations faites avec elle, mais "
            "ne peut plus être choisie pour de nouveaux positionnements."
        ),
        button=_("Retirer la version"),
        blocked=blocked,
        run=run,
        danger=True,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_delete(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)

    def run():
        services.delete_draft(
            membership=request.membership, framework=framework, ip_address=client_ip(request)
        )
        return _list_url(request), _("Le brouillon est supprimé.")

    return _confirm(
        request,
        framework,
        title=_("Supprimer ce brouillon"),
        lead=_("Le brouillon, ses domaines et ses compétences sont supprimés définitivement."),
        button=_("Supprimer le brouillon"),
        blocked=_edit_blocked(request, framework),
        run=run,
        danger=True,
    )


# ------------------------------------------------------------------------------ draft editing


def _form_page(
    request: HttpRequest,
    framework: Framework,
    *,
    form,
    title: str,
    button: str,
    blocked: str | None,
    save: Callable[[], str],
    lead: str = "",
) -> HttpResponse:
    """A form page of a draft; ``save()`` calls the service and returns the success message."""
    if request.method == "POST":
        if blocked:
            form.add_error(None, blocked)
        elif form.is_valid():
            try:
                message = save()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, message)
                return redirect(_detail_url(request, framework))
    return render(
        request,
        "competencies/frameworks/form.html",
        {
            "framework": framework,
            "form": form,
            "title": title,
            "lead": lead,
            "button": button,
            "blocked": blocked,
            "back_url": _detail_url(request, framework),
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)
    levels = list(framework.levels.order_by("value"))
    form = FrameworkEditForm(*_bound(request), framework=framework, levels=levels)

    def save():
        services.update_draft(
            membership=request.membership,
            framework=framework,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            scale=form.scale(),
            ip_address=client_ip(request),
        )
        return _("Le brouillon est enregistré.")

    return _form_page(
        request,
        framework,
        form=form,
        title=_("Nom, description et échelle"),
        lead=_(
            "L'échelle garde ses niveaux ; vous pouvez en changer les libellés et descriptions."
        ),
        button=_("Enregistrer"),
        blocked=_edit_blocked(request, framework),
        save=save,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_area_add(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)
    form = AreaForm(*_bound(request), framework=framework)

    def save():
        area = services.add_area(
            membership=request.membership,
            framework=framework,
            ip_address=client_ip(request),
            **form.cleaned_data,
        )
        return _("Domaine « %(code)s » ajouté.") % {"code": area.code}

    return _form_page(
        request,
        framework,
        form=form,
        title=_("Ajouter un domaine"),
        button=_("Ajouter le domaine"),
        blocked=_edit_blocked(request, framework),
        save=save,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_area_edit(request: HttpRequest, area_pk: int) -> HttpResponse:
    area = selectors_frameworks.get_own_area(request.membership, area_pk)
    framework = area.framework
    form = AreaForm(*_bound(request), framework=framework, area=area)

    def save():
        services.edit_area(
            membership=request.membership,
            area=area,
            ip_address=client_ip(request),
            **form.cleaned_data,
        )
        return _("Domaine « %(code)s » enregistré.") % {"code": area.code}

    return _form_page(
        request,
        framework,
        form=form,
        title=_("Domaine « %(code)s »") % {"code": area.code},
        button=_("Enregistrer"),
        blocked=_edit_blocked(request, framework),
        save=save,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_area_delete(request: HttpRequest, area_pk: int) -> HttpResponse:
    area = selectors_frameworks.get_own_area(request.membership, area_pk)
    framework = area.framework

    def run():
        services.remove_area(
            membership=request.membership, area=area, ip_address=client_ip(request)
        )
        return _detail_url(request, framework), _("Domaine « %(code)s » supprimé.") % {
            "code": area.code
        }

    return _confirm(
        request,
        framework,
        title=_("Supprimer le domaine « %(code)s »") % {"code": area.code},
        lead=_("Seul un domaine sans sous-domaine ni compétence peut être supprimé."),
        button=_("Supprimer le domaine"),
        blocked=_edit_blocked(request, framework),
        run=run,
        danger=True,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_competency_add(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.get_framework(request.membership, pk)
    levels = list(framework.levels.order_by("value"))
    form = CompetencyForm(*_bound(request), framework=framework, levels=levels)

    def save():
        data = form.cleaned_data
        competency = services.add_competency(
            membership=request.membership,
            framework=framework,
            area=data["area"],
            code=data["code"],
            title=data["title"],
            description=data["description"],
            levels=form.levels(),
            ip_address=client_ip(request),
        )
        return _("Compétence « %(code)s » ajoutée.") % {"code": competency.code}

    return _form_page(
        request,
        framework,
        form=form,
        title=_("Ajouter une compétence"),
        button=_("Ajouter la compétence"),
        blocked=_edit_blocked(request, framework),
        save=save,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_competency_edit(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = selectors_frameworks.get_own_competency(request.membership, competency_pk)
    framework = competency.framework
    levels = list(framework.levels.order_by("value"))
    form = CompetencyForm(
        *_bound(request), framework=framework, levels=levels, competency=competency
    )

    def save():
        data = form.cleaned_data
        services.edit_competency(
            membership=request.membership,
            competency=competency,
            area=data["area"],
            code=data["code"],
            title=data["title"],
            description=data["description"],
            levels=form.levels(),
            ip_address=client_ip(request),
        )
        return _("Compétence « %(code)s » enregistrée.") % {"code": competency.code}

    return _form_page(
        request,
        framework,
        form=form,
        title=_("Compétence « %(code)s »") % {"code": competency.code},
        button=_("Enregistrer"),
        blocked=_edit_blocked(request, framework),
        save=save,
    )


@school_view(Perm.MANAGE_FRAMEWORKS)
def framework_competency_delete(request: HttpRequest, competency_pk: int) -> HttpResponse:
    competency = selectors_frameworks.get_own_competency(request.membership, competency_pk)
    framework = competency.framework

    def run():
        services.remove_competency(
            membership=request.membership, competency=competency, ip_address=client_ip(request)
        )
        return _detail_url(request, framework), _("Compétence « %(code)s » retirée.") % {
            "code": competency.code
        }

    return _confirm(
        request,
        framework,
        title=_("Retirer la compétence « %(code)s »") % {"code": competency.code},
        lead=_("La compétence et la description de ses niveaux sont retirées du brouillon."),
        button=_("Retirer la compétence"),
        blocked=_edit_blocked(request, framework),
        run=run,
        danger=True,
    )


_BASE = "competences/referentiels/"

urlpatterns = [
    path(_BASE, framework_list, name="frameworks"),
    path(f"{_BASE}importer/", framework_import, name="framework_import"),
    path(f"{_BASE}<int:pk>/", framework_detail, name="framework"),
    path(f"{_BASE}<int:pk>/export.json", framework_export_json, name="framework_export_json"),
    path(f"{_BASE}<int:pk>/export.xlsx", framework_export_xlsx, name="framework_export_xlsx"),
    path(f"{_BASE}<int:pk>/nouvelle-version/", framework_new_version, name="framework_new_version"),
    path(f"{_BASE}<int:pk>/modifier/", framework_edit, name="framework_edit"),
    path(f"{_BASE}<int:pk>/publier/", framework_publish, name="framework_publish"),
    path(f"{_BASE}<int:pk>/utiliser/", framework_use, name="framework_use"),
    path(f"{_BASE}<int:pk>/retirer/", framework_retire, name="framework_retire"),
    path(f"{_BASE}<int:pk>/supprimer/", framework_delete, name="framework_delete"),
    path(f"{_BASE}<int:pk>/domaines/ajouter/", framework_area_add, name="framework_area_add"),
    path(
        f"{_BASE}domaines/<int:area_pk>/modifier/", framework_area_edit, name="framework_area_edit"
    ),
    path(
        f"{_BASE}domaines/<int:area_pk>/supprimer/",
        framework_area_delete,
        name="framework_area_delete",
    ),
    path(
        f"{_BASE}<int:pk>/competences/ajouter/",
        framework_competency_add,
        name="framework_competency_add",
    ),
    path(
        f"{_BASE}competences/<int:competency_pk>/modifier/",
        framework_competency_edit,
        name="framework_competency_edit",
    ),
    path(
        f"{_BASE}competences/<int:competency_pk>/supprimer/",
        framework_competency_delete,
        name="framework_competency_delete",
    ),
]
