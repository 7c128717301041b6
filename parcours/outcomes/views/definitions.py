"""Outcome definitions: the list (the network's and the school's, with their rules in French,
and the headline definition of each year), a definition's versions, the school's own
definitions (new, and a new version of one), and the choice of the headline of a year; the
XLSX/CSV export of the list (the definitions and the years each was chosen for).

Read: ``VIEW_OUTCOMES``; write: ``MANAGE_OUTCOMES`` (the direction). The network's
definitions are read-only here (the admin edits them); another school's are a 404. A refusal
re-renders the form with the French message(s) and status 400 (nothing written).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.pathways import exports

from .. import selectors
from .. import selectors_rates as reads
from .. import services_definitions as services
from ..forms.definitions import DefinitionForm, HeadlineForm, RuleForm, RuleFormSet
from ..models import OutcomeDefinition

PER_PAGE = 50
RULES_PREFIX = "regles"


def _list_url(request: HttpRequest) -> str:
    return reverse("outcomes:definitions", args=[request.membership.school.slug])


def _detail_url(request: HttpRequest, definition: OutcomeDefinition) -> str:
    return reverse(
        "outcomes:definition_detail", args=[request.membership.school.slug, definition.pk]
    )


def _headline_form(request: HttpRequest, data=None) -> HeadlineForm:
    return HeadlineForm(
        data,
        definitions=selectors.definitions_for(request.membership.school),
        initial={"year": timezone.localdate().year},
    )


# ------------------------------------------------------------------------------ reading


def _list_state(request: HttpRequest):
    """The definitions' rows, the headline choices, this year and its default headline (when
    the school chose none for it)."""
    membership = request.membership
    school = membership.school
    rows = [reads.definition_row(d) for d in selectors.definitions_for(school)]
    year = timezone.localdate().year
    choices = list(reads.headline_choices(membership))
    this_year = None
    if year not in {choice.year for choice in choices}:
        default, _chosen = selectors.headline_for(school, year)
        this_year = default
    return rows, choices, year, this_year


def _render_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    rows, choices, year, this_year = _list_state(request)
    may_manage = has_perm(membership, Perm.MANAGE_OUTCOMES)
    return render(
        request,
        "outcomes/definitions/list.html",
        {
            "network_rows": [row for row in rows if row.is_network],
            "school_rows": [row for row in rows if not row.is_network],
            "choices": choices,
            "year": year,
            "default_this_year": this_year,
            "may_manage": may_manage,
            "headline_form": _headline_form(request) if may_manage else None,
            "export_error": export_error,
        },
        status=400 if export_error else 200,
    )


@school_view(Perm.VIEW_OUTCOMES)
def definition_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


#: The list's columns (network's first, then the school's, as on the page); the validity as
#: two date cells; the years each definition leads the results for (the page's last table).
EXPORT_HEADERS = (
    gettext_lazy("Définition"),
    gettext_lazy("Origine"),
    gettext_lazy("Version"),
    gettext_lazy("Compte comme réussie"),
    gettext_lazy("Exclues du dénominateur"),
    gettext_lazy("Valable à partir du"),
    gettext_lazy("Valable jusqu'au"),
    gettext_lazy("Définition retenue pour"),
)


@school_view(Perm.VIEW_OUTCOMES)
def definition_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_list(request, export_error=exports.UNKNOWN_FORMAT)
    rows, choices, year, this_year = _list_state(request)
    years: dict[str, list[str]] = {}
    if this_year is not None:
        years.setdefault(this_year.code, []).append(_("%(year)d (par défaut)") % {"year": year})
    for choice in choices:
        years.setdefault(choice.definition.code, []).append(str(choice.year))
    ordered = [row for row in rows if row.is_network] + [row for row in rows if not row.is_network]
    return exports.download(
        request,
        fmt=fmt,
        headers=EXPORT_HEADERS,
        rows=(
            (
                row.name,
                _("Réseau") if row.is_network else _("École"),
                row.version,
                row.summary,
                row.excluded,
                row.valid_from,
                row.valid_until,
                ", ".join(years.get(row.code, [])),
            )
            for row in ordered
        ),
        stem="definitions-de-sortie",
        sheet_title=_("Définitions de sortie"),
        action="export.definitions",
        filters={},
    )


@school_view(Perm.VIEW_OUTCOMES)
def definition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    definition = reads.get_definition(membership, pk)
    page = Paginator(reads.definition_versions(membership, definition), PER_PAGE).get_page(
        request.GET.get("page")
    )
    versions = [(version, reads.definition_row(version)) for version in page.object_list]
    return render(
        request,
        "outcomes/definitions/detail.html",
        {
            "definition": definition,
            "row": reads.definition_row(definition),
            "page": page,
            "versions": versions,
            "may_edit": has_perm(membership, Perm.MANAGE_OUTCOMES)
            and definition.school_id == membership.school_id,
            "back_url": _list_url(request),
        },
    )


# ------------------------------------------------------------------------------ writing


def _form_page(request, form, formset, definition, *, status: int) -> HttpResponse:
    return render(
        request,
        "outcomes/definitions/form.html",
        {
            "form": form,
            "formset": formset,
            "definition": definition,
            "title": (
                _("Nouvelle version de « %(name)s »") % {"name": definition.name}
                if definition
                else _("Nouvelle définition de l'école")
            ),
            "submit_label": _("Enregistrer la nouvelle version")
            if definition
            else _("Créer la définition"),
            "back_url": _detail_url(request, definition) if definition else _list_url(request),
        },
        status=status,
    )


def _save(request, form, formset, definition) -> HttpResponse | None:
    """Save the new definition or version; None when refused (the form holds the errors)."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    data = form.cleaned_data
    try:
        saved = services.save_definition_version(
            request.membership,
            code=definition,
            name=data["name"],
            description=data["description"],
            rules=formset.rules(),
            excluded=data["excluded"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            based_on_version=data.get("version") if definition else None,
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    if definition:
        messages.success(
            request,
            _("La version %(v)d de la définition est enregistrée ; les précédentes restent.")
            % {"v": saved.version},
        )
    else:
        messages.success(request, _("La définition a été créée."))
    return redirect(_detail_url(request, saved))


@school_view(Perm.MANAGE_OUTCOMES)
def definition_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DefinitionForm(request.POST)
        formset = RuleFormSet(request.POST, prefix=RULES_PREFIX)
        if (response := _save(request, form, formset, None)) is not None:
            return response
        return _form_page(request, form, formset, None, status=400)
    form = DefinitionForm(initial={"valid_from": timezone.localdate().replace(month=1, day=1)})
    formset = RuleFormSet(prefix=RULES_PREFIX)
    return _form_page(request, form, formset, None, status=200)


@school_view(Perm.MANAGE_OUTCOMES)
def definition_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    definition = reads.current_version(membership, reads.get_definition(membership, pk))
    if definition.school_id != membership.school_id:
        # The network's definitions are read-only for the schools: the admin edits them.
        raise PermissionDenied(_("Les définitions du réseau ne se modifient pas ici."))
    if request.method == "POST":
        form = DefinitionForm(request.POST)
        formset = RuleFormSet(request.POST, prefix=RULES_PREFIX)
        if (response := _save(request, form, formset, definition)) is not None:
            return response
        return _form_page(request, form, formset, definition, status=400)
    form = DefinitionForm(initial=DefinitionForm.initial_for(definition))
    formset = RuleFormSet(
        prefix=RULES_PREFIX, initial=[RuleForm.initial_for(rule) for rule in definition.rules]
    )
    return _form_page(request, form, formset, definition, status=200)


@school_view(Perm.MANAGE_OUTCOMES)
def headline_choose(request: HttpRequest) -> HttpResponse:
    """GET: the form alone; POST: record the headline definition of a year."""
    membership = request.membership
    form = _headline_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        year, definition = form.cleaned_data["year"], form.cleaned_data["definition"]
        try:
            services.choose_headline(membership, year, definition, ip_address=client_ip(request))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("« %(name)s » est la définition retenue pour %(year)d.")
                % {"name": definition.name, "year": year},
            )
            return redirect(_list_url(request))
    return render(
        request,
        "outcomes/definitions/headline.html",
        {"form": form, "back_url": _list_url(request)},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("definitions-de-sortie/", definition_list, name="definitions"),
    path("definitions-de-sortie/export/", definition_export, name="definitions_export"),
    path("definitions-de-sortie/nouvelle/", definition_new, name="definition_new"),
    path("definitions-de-sortie/<int:pk>/", definition_detail, name="definition_detail"),
    path("definitions-de-sortie/<int:pk>/modifier/", definition_edit, name="definition_edit"),
    path("definitions-de-sortie/definition-retenue/", headline_choose, name="headline_choose"),
]
