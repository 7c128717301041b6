"""The director's import page: upload a file, follow its check, confirm the import.

Page 1 lists the school's past imports and holds the upload form; a job's page shows its
progress (a fragment polled by htmx every second while it runs) and then its report: every
problem by row and column, or the counts the import would make and the button that starts it.
The runs happen in the background (``jobs.py``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.context import get_client_address
from parcours.organisations.access import Perm, school_view

from . import jobs, selectors_jobs, services_jobs
from .columns import COLUMNS
from .forms import UploadForm
from .models import ImportJob

app_name = "imports"

#: The example file documented in docs/import.md, offered for download on the page.
EXAMPLE_FILE = Path(settings.BASE_DIR) / "docs" / "examples" / "import-enrolments-exemple.csv"
PROBLEMS_PER_PAGE = 100


def _home_url(request: HttpRequest) -> str:
    return reverse("imports:home", args=[request.membership.school.slug])


def _job_url(request: HttpRequest, job: ImportJob) -> str:
    return reverse("imports:job", args=[request.membership.school.slug, job.pk])


@school_view(Perm.IMPORT_RECORDS)
def home(request: HttpRequest) -> HttpResponse:
    """GET: the past imports and the upload form; POST: upload, then follow the check."""
    membership = request.membership
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            job = services_jobs.create_job(
                membership=membership, uploaded=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            jobs.start(job, dry_run=True, actor=request.user, ip_address=get_client_address())
            return redirect(_job_url(request, job))
    page = Paginator(selectors_jobs.jobs(membership), 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "now": timezone.now(),
        "columns": COLUMNS,
        "example_available": EXAMPLE_FILE.is_file(),
    }
    return render(
        request,
        "imports/home.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.IMPORT_RECORDS)
def example(request: HttpRequest) -> HttpResponse:
    """The example file of docs/import.md (made-up people), as a download."""
    if not EXAMPLE_FILE.is_file():
        raise Http404("Le fichier d'exemple est introuvable.")
    return FileResponse(
        EXAMPLE_FILE.open("rb"),
        as_attachment=True,
        filename=EXAMPLE_FILE.name,
        content_type="text/csv; charset=utf-8",
    )


def _job_context(request: HttpRequest, job: ImportJob) -> dict:
    now = timezone.now()
    problems = job.report.get("problems", [])
    page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    report = job.report
    return {
        "job": job,
        "report": report,
        "problems_page": page,
        "page": page,  # for includes/pagination.html
        "interrupted": job.is_interrupted(now),
        "can_confirm": job.can_confirm(now),
        "can_abandon": job.can_abandon(now),
        "can_restart": job.can_restart(now),
        "polling": job.is_running and not job.is_interrupted(now),
        "stored_fewer": job.problem_count > len(problems),
        "people": report.get("people_created", 0) + report.get("people_matched", 0),
    }


@school_view(Perm.IMPORT_RECORDS)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors_jobs.get_job(request.membership, pk)
    context = _job_context(request, job) | {"back_url": _home_url(request)}
    return render(request, "imports/job.html", context)


@school_view(Perm.IMPORT_RECORDS)
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's body (progress bar, then report): what the job page polls while it runs."""
    job = selectors_jobs.get_job(request.membership, pk)
    return render(request, "imports/_job_body.html", _job_context(request, job))


def _confirm_page(request, job, *, action: str, possible: bool, status: int = 200):
    context = _job_context(request, job) | {
        "action": action,
        "possible": possible,
        "back_url": _job_url(request, job),
    }
    return render(request, "imports/job_confirm.html", context, status=status)


@school_view(Perm.IMPORT_RECORDS)
def job_import(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation (what will be written); POST: start the import."""
    job = selectors_jobs.get_job(request.membership, pk)
    if request.method == "POST":
        try:
            job = services_jobs.confirm_job(membership=request.membership, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            jobs.start(job, dry_run=False, actor=request.user, ip_address=get_client_address())
        return redirect(_job_url(request, job))
    return _confirm_page(request, job, action="import", possible=job.can_confirm())


@school_view(Perm.IMPORT_RECORDS)
def job_restart(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: check an interrupted job's file again."""
    job = selectors_jobs.get_job(request.membership, pk)
    if request.method == "POST":
        try:
            job = services_jobs.restart_job(membership=request.membership, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            jobs.start(job, dry_run=True, actor=request.user, ip_address=get_client_address())
        return redirect(_job_url(request, job))
    return _confirm_page(request, job, action="restart", possible=job.can_restart())


@school_view(Perm.IMPORT_RECORDS)
def job_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: give the job up and delete its file."""
    job = selectors_jobs.get_job(request.membership, pk)
    if request.method == "POST":
        try:
            services_jobs.abandon_job(membership=request.membership, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_job_url(request, job))
        messages.success(request, _("L'import est abandonné : le fichier déposé est supprimé."))
        return redirect(_home_url(request))
    return _confirm_page(request, job, action="abandon", possible=job.can_abandon())


urlpatterns = [
    path("import/", home, name="home"),
    path("import/exemple.csv", example, name="example"),
    path("import/<int:pk>/", job_detail, name="job"),
    path("import/<int:pk>/progression/", job_progress, name="job_progress"),
    path("import/<int:pk>/importer/", job_import, name="job_import"),
    path("import/<int:pk>/relancer/", job_restart, name="job_restart"),
    path("import/<int:pk>/abandonner/", job_abandon, name="job_abandon"),
]
