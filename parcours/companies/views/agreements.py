"""The internship agreement (convention de stage): its PDF, its signatures and signed scan;
the legal guardians of a minor trainee (named on the agreement, they sign it); the hires that
follow an internship.

Every view needs ``MANAGE_INTERNSHIPS``, the PDF too: it carries the trainee's (and a minor's
guardian's) identity and address, and downloading it is audited as an export of personal data.
Reads go through the selectors (another school's object is a 404), writes through the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view
from parcours.pathways import selectors as pathway_selectors
from parcours.pathways.forms.documents import SizeLimitUploadHandler
from parcours.pathways.models import Enrolment
from parcours.pdf import render_pdf
from parcours.people import selectors_guardians, services_guardians

from .. import selectors_agreements as reads
from .. import services_agreements, services_hires
from ..agreements import missing_signatures
from ..forms.agreements import GuardianForm, HireForm, ScanForm, SignatureForm
from ..models import Internship, SignatoryRole


def _url(request: HttpRequest, name: str, *args) -> str:
    return reverse(name, args=[request.membership.school.slug, *args])


def _trainee_url(request: HttpRequest, enrolment_pk: int) -> str:
    return _url(request, "pathways:trainee", enrolment_pk)


def internship_url(request: HttpRequest, internship: Internship) -> str:
    """The internship page."""
    return _url(request, "companies:internship", internship.pk)


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


def _refused(form, error: ValidationError) -> None:
    form.add_error(None, error.messages)


def _internship_context(request: HttpRequest, internship: Internship) -> dict:
    return {
        "internship": internship,
        "enrolment": internship.enrolment,
        "person": internship.enrolment.person,
        "back_url": internship_url(request, internship),
    }


# --------------------------------------------------------------------------------- the PDF


@never_cache  # the trainee's address, a minor's guardian: never kept by a browser or proxy
@school_view(Perm.MANAGE_INTERNSHIPS)
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    internship = reads.get_internship(membership, pk)
    pdf = render_pdf(
        "companies/agreements/agreement_pdf.html", reads.agreement_document(internship)
    )
    services_agreements.record_download(
        membership=membership, internship=internship, ip_address=client_ip(request)
    )
    person = internship.enrolment.person
    name = slugify(f"{person.last_name} {person.first_name}") or f"stage-{internship.pk}"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="convention-{name}-{internship.start_date:%Y-%m-%d}.pdf"'
    )
    return response


# ------------------------------------------------------------------------------ signatures


def _role_choices(internship: Internship) -> list[tuple[str, str]]:
    """The roles still to sign (the form offers nothing else)."""
    missing = set(missing_signatures(internship))
    return [(role.value, role.label) for role in SignatoryRole if role.value in missing]


@school_view(Perm.MANAGE_INTERNSHIPS)
def signature_new(request: HttpRequest, internship_pk: int) -> HttpResponse:
    membership = request.membership
    internship = reads.get_internship(membership, internship_pk)
    roles = _role_choices(internship)
    initial = {}
    if request.GET.get("role") in dict(roles):
        initial["role"] = request.GET["role"]
    form = SignatureForm(_posted(request), roles=roles, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            signature = services_agreements.record_signature(
                membership=membership,
                internship=internship,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("Signature enregistrée : %(role)s, %(name)s, le %(day)s.")
                % {
                    "role": signature.get_role_display(),
                    "name": signature.signer_name,
                    "day": signature.signed_on.strftime("%d/%m/%Y"),
                },
            )
            return redirect(internship_url(request, internship))
    return render(
        request,
        "companies/agreements/signature_form.html",
        {**_internship_context(request, internship), "form": form, "roles": roles},
        status=_status(request),
    )


@school_view(Perm.MANAGE_INTERNSHIPS)
def signature_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    signature = reads.get_signature(membership, pk)
    internship = reads.get_internship(membership, signature.internship_id)
    error = None
    if request.method == "POST":
        try:
            services_agreements.remove_signature(
                membership=membership, signature=signature, ip_address=client_ip(request)
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _("La signature « %(role)s » est retirée.")
                % {"role": signature.get_role_display()},
            )
            return redirect(internship_url(request, internship))
    return render(
        request,
        "companies/agreements/signature_delete.html",
        {**_internship_context(request, internship), "signature": signature, "error": error},
        status=400 if error else 200,
    )


# ------------------------------------------------------------------------------- the scan


@csrf_exempt  # checked below, once the size-limiting upload handler is in place
@school_view(Perm.MANAGE_INTERNSHIPS)
def agreement_scan(request: HttpRequest, internship_pk: int) -> HttpResponse:
    # Must come before anything reads request.POST or request.FILES (CSRF included).
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _agreement_scan(request, internship_pk)


@csrf_protect
def _agreement_scan(request: HttpRequest, internship_pk: int) -> HttpResponse:
    membership = request.membership
    internship = reads.get_internship(membership, internship_pk)
    form = ScanForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        oversize="file" in getattr(request, "oversize_uploads", ()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_agreements.upload_signed_scan(
                membership=membership,
                internship=internship,
                uploaded_file=form.cleaned_data["file"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("La convention signée est déposée."))
            return redirect(internship_url(request, internship))
    return render(
        request,
        "companies/agreements/scan_form.html",
        {**_internship_context(request, internship), "form": form},
        status=_status(request),
    )


# ---------------------------------------------------------------------------------- hires


def _hire_form_page(request, *, form, enrolment: Enrolment, internship, hire, back_url):
    return render(
        request,
        "companies/agreements/hire_form.html",
        {
            "form": form,
            "enrolment": enrolment,
            "person": enrolment.person,
            "internship": internship,
            "hire": hire,
            "back_url": back_url,
        },
        status=_status(request),
    )


@school_view(Perm.MANAGE_INTERNSHIPS)
def hire_new(
    request: HttpRequest, internship_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    """A hire after an internship (``internship_pk``), or for an enrolment directly (``pk``,
    the enrolment, as on the trainee's pages)."""
    membership = request.membership
    if internship_pk is not None:
        internship = reads.get_internship(membership, internship_pk)
        enrolment = internship.enrolment
        back_url = internship_url(request, internship)
        companies = None
        initial = {"job_title": internship.job_title, "start_date": internship.end_date}
    else:
        internship = None
        enrolment = pathway_selectors.get_enrolment(membership, pk)
        back_url = _trainee_url(request, enrolment.pk)
        companies = reads.companies_for_choice(membership)
        initial = {}
    form = HireForm(_posted(request), companies=companies, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            hire = services_hires.record_hire(
                membership=membership,
                internship=internship,
                enrolment=enrolment,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("Embauche enregistrée : %(type)s chez %(company)s.")
                % {"type": hire.get_contract_type_display(), "company": hire.company.name},
            )
            return redirect(back_url)
    return _hire_form_page(
        request,
        form=form,
        enrolment=enrolment,
        internship=internship,
        hire=None,
        back_url=back_url,
    )


def _hire_back_url(request: HttpRequest, hire) -> str:
    if hire.internship_id:
        return internship_url(request, hire.internship)
    return _trainee_url(request, hire.enrolment_id)


@school_view(Perm.MANAGE_INTERNSHIPS)
def hire_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    hire = reads.get_hire(membership, pk)
    back_url = _hire_back_url(request, hire)
    companies = None if hire.internship_id else reads.companies_for_choice(membership)
    form = HireForm(
        _posted(request),
        companies=companies,
        initial={
            "company": hire.company_id,
            "contract_type": hire.contract_type,
            "months": hire.months,
            "job_title": hire.job_title,
            "start_date": hire.start_date,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_hires.update_hire(
                membership=membership,
                hire=hire,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("L'embauche est mise à jour."))
            return redirect(back_url)
    return _hire_form_page(
        request,
        form=form,
        enrolment=hire.enrolment,
        internship=hire.internship,
        hire=hire,
        back_url=back_url,
    )


@school_view(Perm.MANAGE_INTERNSHIPS)
def hire_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    hire = reads.get_hire(membership, pk)
    back_url = _hire_back_url(request, hire)
    error = None
    if request.method == "POST":
        try:
            services_hires.delete_hire(
                membership=membership, hire=hire, ip_address=client_ip(request)
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("L'embauche est supprimée."))
            return redirect(back_url)
    return render(
        request,
        "companies/agreements/hire_delete.html",
        {"hire": hire, "person": hire.enrolment.person, "back_url": back_url, "error": error},
        status=400 if error else 200,
    )


# ------------------------------------------------------------------------------ guardians


def _guardian_page(request, *, form, person, enrolment_pk: int, guardian=None):
    return render(
        request,
        "companies/agreements/guardian_form.html",
        {
            "form": form,
            "person": person,
            "guardian": guardian,
            "back_url": _trainee_url(request, enrolment_pk),
        },
        status=_status(request),
    )


def _latest_enrolment_pk(membership, person) -> int:
    """The person's most recent enrolment in the school (the trainee page to go back to)."""
    return (
        pathway_selectors.enrolments_for(membership)
        .filter(person=person)
        .order_by("-entry_date", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


@school_view(Perm.MANAGE_INTERNSHIPS)
def guardian_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a legal guardian to the trainee of enrolment ``pk``."""
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    person = enrolment.person
    form = GuardianForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services_guardians.add_guardian(
                membership=membership,
                person=person,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Représentant·e légal·e ajouté·e."))
            return redirect(_trainee_url(request, enrolment.pk))
    return _guardian_page(request, form=form, person=person, enrolment_pk=enrolment.pk)


@school_view(Perm.MANAGE_INTERNSHIPS)
def guardian_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    guardian = selectors_guardians.get_guardian(membership, pk)
    enrolment_pk = _latest_enrolment_pk(membership, guardian.person)
    form = GuardianForm(
        _posted(request),
        initial={name: getattr(guardian, name) for name in services_guardians.FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_guardians.update_guardian(
                membership=membership,
                guardian=guardian,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Représentant·e légal·e mis·e à jour."))
            return redirect(_trainee_url(request, enrolment_pk))
    return _guardian_page(
        request, form=form, person=guardian.person, enrolment_pk=enrolment_pk, guardian=guardian
    )


@school_view(Perm.MANAGE_INTERNSHIPS)
def guardian_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    guardian = selectors_guardians.get_guardian(membership, pk)
    enrolment_pk = _latest_enrolment_pk(membership, guardian.person)
    error = None
    if request.method == "POST":
        try:
            services_guardians.remove_guardian(
                membership=membership, guardian=guardian, ip_address=client_ip(request)
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("Représentant·e légal·e retiré·e."))
            return redirect(_trainee_url(request, enrolment_pk))
    return render(
        request,
        "companies/agreements/guardian_delete.html",
        {
            "guardian": guardian,
            "person": guardian.person,
            "back_url": _trainee_url(request, enrolment_pk),
            "error": error,
        },
        status=400 if error else 200,
    )


urlpatterns = [
    path("stages/<int:pk>/convention.pdf", agreement_pdf, name="agreement_pdf"),
    path(
        "stages/<int:internship_pk>/convention/signatures/nouvelle/",
        signature_new,
        name="signature_new",
    ),
    path("signatures/<int:pk>/supprimer/", signature_delete, name="signature_delete"),
    path("stages/<int:internship_pk>/convention/scan/", agreement_scan, name="agreement_scan"),
    path("stages/<int:internship_pk>/embauches/nouvelle/", hire_new, name="hire_new"),
    path("stagiaires/<int:pk>/embauches/nouvelle/", hire_new, name="hire_new_for_trainee"),
    path("embauches/<int:pk>/modifier/", hire_edit, name="hire_edit"),
    path("embauches/<int:pk>/supprimer/", hire_delete, name="hire_delete"),
    path("stagiaires/<int:pk>/representants-legaux/nouveau/", guardian_new, name="guardian_new"),
    path("representants-legaux/<int:pk>/modifier/", guardian_edit, name="guardian_edit"),
    path("representants-legaux/<int:pk>/supprimer/", guardian_delete, name="guardian_delete"),
]
