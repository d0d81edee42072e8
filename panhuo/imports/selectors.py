"""Reads of import jobs; tenant visibility decided here (institution admins: the tenant's jobs; others: their own)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from panhuo.accounts.models import User
from panhuo.common.errors import NotFound
from panhuo.imports.models import ImportJob, ImportReject

ADMIN_ROLES = frozenset({"institution_admin"})


def import_jobs_visible(user: User) -> QuerySet[ImportJob]:
    if not user.is_authenticated or user.organization_id is None:
        return ImportJob.objects.none()
    jobs = ImportJob.objects.filter(organization_id=user.organization_id)
    if user.role not in ADMIN_ROLES:
        jobs = jobs.filter(created_by=user)
    return jobs.select_related("created_by")


def import_job_get(user: User, job_id: int) -> ImportJob:
    job = import_jobs_visible(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


def import_job_rejects(user: User, job_id: int) -> QuerySet[ImportReject]:
    job = import_job_get(user, job_id)
    return ImportReject.objects.filter(job=job).order_by("line", "column", "id")


def import_job_status(job: ImportJob) -> dict[str, Any]:
    """What the job page polls (JSON)."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_zh": job.get_status_display(),
        "progress": round(job.progress, 4),
        "rows_done": job.rows_done,
        "rows_estimate": job.rows_estimate,
        "total": job.total,
        "inserted": job.inserted,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
        "error_zh": job.error_zh,
        "error_en": job.error_en,
        "finished": job.status in ("done", "failed"),
    }
