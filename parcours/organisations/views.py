"""Thin views: check access (decorators), read through selectors, write through services."""

from __future__ import annotations

import copy
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip

from . import selectors, services, services_staff
from .access import Perm, has_perm, network_view, school_view
from .forms import FundingAgreementForm, PartnerForm, RoomForm, SiteForm


def _school_url(request: HttpRequest, name: str, *args) -> str:
    return reverse(name, args=[request.membership.school.slug, *args])


def _edit(
    request: HttpRequest,
    *,
    form_class: type,
    instance,
    save: Callable,
    instance_kwarg: str,
    title: str,
    success_message: str,
    success_url: Callable,
    back_url: str,
    initial: dict | None = None,
) -> HttpResponse:
    """Shared create/edit flow: bound form → service → redirect; errors re-render the form."""
    school = request.membership.school
    # The form works on a copy: ModelForm validation writes to its instance, and the service
    # must see the stored values to audit what changed.
    form = form_class(
        request.POST or None,
        instance=copy.copy(instance) if instance is not None else None,
        school=school,
        initial=initial or {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(
                membership=request.membership,
                ip_address=client_ip(request),
                **{instance_kwarg: instance},
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success_message)
            return redirect(success_url(obj))
    return render(
        request,
        "organisations/form.html",
        {"form": form, "title": title, "back_url": back_url},
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.VIEW_SCHOOL)
def school_home(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    return render(
        request,
        "organisations/school_home.html",
        {
            "sites": selectors.sites_for(membership),
            "summary": selectors.premises_summary(membership),
            "staff": selectors.staff_for(membership),
            "can_see_staff": has_perm(membership, Perm.VIEW_STAFF),
        },
    )


@school_view(Perm.VIEW_SCHOOL)
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.get_site(request.membership, pk)
    rooms = selectors.rooms_for(request.membership).filter(site=site).order_by("name")
    return render(request, "organisations/site_detail.html", {"site": site, "rooms": rooms})


@school_view(Perm.MANAGE_PREMISES)
def site_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=SiteForm,
        instance=None,
        save=services.save_site,
        instance_kwarg="site",
        title=_("Nouveau site"),
        success_message=_("Le site a été créé."),
        success_url=lambda site: _school_url(request, "organisations:site", site.pk),
        back_url=_school_url(request, "organisations:home"),
    )


@school_view(Perm.MANAGE_PREMISES)
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.get_site(request.membership, pk)
    return _edit(
        request,
        form_class=SiteForm,
        instance=site,
        save=services.save_site,
        instance_kwarg="site",
        title=_("Modifier le site « %(name)s »") % {"name": site.name},
        success_message=_("Le site a été mis à jour."),
        success_url=lambda site: _school_url(request, "organisations:site", site.pk),
        back_url=_school_url(request, "organisations:site", site.pk),
    )


@school_view(Perm.VIEW_SCHOOL)
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    room = selectors.get_room(request.membership, pk)
    return render(request, "organisations/room_detail.html", {"room": room})


@school_view(Perm.MANAGE_PREMISES)
def room_create(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = selectors.get_site(request.membership, site_pk)
    return _edit(
        request,
        form_class=RoomForm,
        instance=None,
        save=services.save_room,
        instance_kwarg="room",
        title=_("Nouvelle salle — %(site)s") % {"site": site.name},
        success_message=_("La salle a été créée."),
        success_url=lambda room: _school_url(request, "organisations:site", room.site_id),
        back_url=_school_url(request, "organisations:site", site.pk),
        initial={"site": site},
    )


@school_view(Perm.MANAGE_PREMISES)
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    room = selectors.get_room(request.membership, pk)
    return _edit(
        request,
        form_class=RoomForm,
        instance=room,
        save=services.save_room,
        instance_kwarg="room",
        title=_("Modifier la salle « %(name)s »") % {"name": room.name},
        success_message=_("La salle a été mise à jour."),
        success_url=lambda room: _school_url(request, "organisations:room", room.pk),
        back_url=_school_url(request, "organisations:room", room.pk),
    )


def render_staff_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    """The staff list; with ``export_error`` (a refused export), that message and a 400."""
    staff = selectors.staff_for(request.membership)
    can_manage = has_perm(request.membership, Perm.MANAGE_STAFF)
    ended = selectors.ended_members_for(request.membership) if can_manage else []
    return render(
        request,
        "organisations/staff_list.html",
        {"staff": staff, "can_manage": can_manage, "ended": ended, "export_error": export_error},
        status=400 if export_error else 200,
    )


@school_view(Perm.VIEW_STAFF)
def staff_list(request: HttpRequest) -> HttpResponse:
    return render_staff_list(request)


@school_view(Perm.MANAGE_STAFF)
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST ends the membership and the person's sessions now."""
    member = selectors.get_active_member(request.membership, pk)
    error = None
    if request.method == "POST":
        try:
            services_staff.deactivate_member(
                membership=request.membership, member=member, ip_address=client_ip(request)
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(
                request,
                _("%(name)s est désactivé·e : ses sessions sont fermées et son accès a pris fin.")
                % {"name": member.user.get_full_name()},
            )
            return redirect(_school_url(request, "organisations:staff"))
    return render(
        request,
        "organisations/staff_confirm.html",
        {"member": member, "action": "deactivate", "error": error},
        status=400 if error else 200,
    )


@school_view(Perm.MANAGE_STAFF)
def staff_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST opens the membership again."""
    member = selectors.get_ended_member(request.membership, pk)
    if request.method == "POST":
        services_staff.reactivate_member(
            membership=request.membership, member=member, ip_address=client_ip(request)
        )
        messages.success(
            request,
            _("%(name)s est réactivé·e.") % {"name": member.user.get_full_name()},
        )
        return redirect(_school_url(request, "organisations:staff"))
    return render(
        request, "organisations/staff_confirm.html", {"member": member, "action": "reactivate"}
    )


def render_partner_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    page = Paginator(selectors.partners_for(request.membership), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organisations/partner_list.html",
        {"page": page, "export_error": export_error},
        status=400 if export_error else 200,
    )


@school_view(Perm.VIEW_PARTNERS)
def partner_list(request: HttpRequest) -> HttpResponse:
    return render_partner_list(request)


@school_view(Perm.MANAGE_PARTNERS)
def partner_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=PartnerForm,
        instance=None,
        save=services.save_partner,
        instance_kwarg="partner",
        title=_("Nouveau partenaire"),
        success_message=_("Le partenaire a été enregistré."),
        success_url=lambda partner: _school_url(request, "organisations:partners"),
        back_url=_school_url(request, "organisations:partners"),
    )


@school_view(Perm.MANAGE_PARTNERS)
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.get_partner(request.membership, pk)
    return _edit(
        request,
        form_class=PartnerForm,
        instance=partner,
        save=services.save_partner,
        instance_kwarg="partner",
        title=_("Modifier le partenaire « %(name)s »") % {"name": partner.name},
        success_message=_("Le partenaire a été mis à jour."),
        success_url=lambda partner: _school_url(request, "organisations:partners"),
        back_url=_school_url(request, "organisations:partners"),
    )


def render_funding_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    page = Paginator(selectors.funding_for(request.membership), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organisations/funding_list.html",
        {"page": page, "export_error": export_error},
        status=400 if export_error else 200,
    )


@school_view(Perm.VIEW_FUNDING)
def funding_list(request: HttpRequest) -> HttpResponse:
    return render_funding_list(request)


@school_view(Perm.MANAGE_FUNDING)
def funding_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=FundingAgreementForm,
        instance=None,
        save=services.save_funding_agreement,
        instance_kwarg="agreement",
        title=_("Nouvelle convention de financement"),
        success_message=_("La convention de financement a été enregistrée."),
        success_url=lambda agreement: _school_url(request, "organisations:funding"),
        back_url=_school_url(request, "organisations:funding"),
    )


@school_view(Perm.MANAGE_FUNDING)
def funding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = selectors.get_funding(request.membership, pk)
    return _edit(
        request,
        form_class=FundingAgreementForm,
        instance=agreement,
        save=services.save_funding_agreement,
        instance_kwarg="agreement",
        title=_("Modifier la convention « %(name)s »") % {"name": agreement},
        success_message=_("La convention de financement a été mise à jour."),
        success_url=lambda agreement: _school_url(request, "organisations:funding"),
        back_url=_school_url(request, "organisations:funding"),
    )


@network_view
def network_home(request: HttpRequest) -> HttpResponse:
    schools = list(selectors.network_schools(request.membership))
    return render(
        request,
        "organisations/network_home.html",
        {
            "network": selectors.get_network(request.membership),
            "schools": schools,
            "total_sites": sum(school.active_sites for school in schools),
        },
    )


@school_view(Perm.MANAGE_PREMISES)
def settings_home(request: HttpRequest) -> HttpResponse:
    """The direction's settings: one page that leads to each kind of school setting."""
    return render(request, "organisations/settings_home.html")
