"""Documents of an enrolment: list, upload, download through Django.

Health documents are restricted like the health section: listed and served only when
``visibility.can_read_restricted`` allows it (else 404), and every read is audited. Files are
never served from MEDIA_URL: the download view checks access and writes the audit event.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view

from .. import selectors, selectors_follow_up, services, services_documents, visibility
from ..forms.documents import DocumentForm, SizeLimitUploadHandler
from .follow_up import base_context, posted, refused, school_url


@school_view(Perm.VIEW_TRAINEES)
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    may_read = visibility.can_read_restricted(membership, enrolment)
    documents = selectors_follow_up.documents_for(membership, enrolment, may_read=may_read)
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    if any(document.is_restricted for document in page.object_list):
        services.record_restricted_read(
            membership=membership,
            enrolment=enrolment,
            section="documents",
            ip_address=client_ip(request),
        )
    context = base_context(request, enrolment)
    context.update(page=page, may_read_restricted=may_read)
    return render(request, "pathways/documents/list.html", context)


@csrf_exempt  # checked below, once the size-limiting upload handler is in place
@school_view(Perm.MANAGE_PATHWAY)
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    # Must come before anything reads request.POST or request.FILES (CSRF included).
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _document_upload(request, pk)


@csrf_protect
def _document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    may_read = visibility.can_read_restricted(membership, enrolment)
    form = DocumentForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        may_read_restricted=may_read,
        oversize="file" in getattr(request, "oversize_uploads", ()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.upload_document(
                membership=membership,
                enrolment=enrolment,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(
                request, _("Le document « %(title)s » est déposé.") % {"title": document.title}
            )
            return redirect(school_url(request, "pathways:documents", enrolment.pk))
    context = base_context(request, enrolment)
    context.update(form=form, back_url=school_url(request, "pathways:documents", enrolment.pk))
    return render(
        request,
        "pathways/documents/upload.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@school_view(Perm.VIEW_TRAINEES)
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    document = selectors_follow_up.get_document(membership, enrolment, doc_pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404(_("Le fichier de ce document est introuvable.")) from missing
    services_documents.record_download(
        membership=membership,
        enrolment=enrolment,
        document=document,
        ip_address=client_ip(request),
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


urlpatterns = [
    path("stagiaires/<int:pk>/documents/", document_list, name="documents"),
    path("stagiaires/<int:pk>/documents/nouveau/", document_upload, name="document_upload"),
    path(
        "stagiaires/<int:pk>/documents/<int:doc_pk>/telecharger/",
        document_download,
        name="document_download",
    ),
]
