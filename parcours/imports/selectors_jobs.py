"""Reads of the import page: the school's import jobs, scoped to the membership."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parcours.organisations.models import Membership

from .models import ImportJob


def jobs(membership: Membership) -> QuerySet[ImportJob]:
    """The school's import jobs, the latest first (with who started each)."""
    return ImportJob.objects.filter(school=membership.school).select_related("created_by")


def get_job(membership: Membership, pk: int) -> ImportJob:
    """One job of the school; another school's job is a 404."""
    return get_object_or_404(jobs(membership), pk=pk)
