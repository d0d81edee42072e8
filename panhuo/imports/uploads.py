"""The upload step every import page shares: store and check the posted file, queue the job once committed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.imports.models import ImportJob
from panhuo.imports.selectors import import_jobs_visible
from panhuo.imports.services import import_job_create
from panhuo.imports.tasks import import_job_task

if TYPE_CHECKING:
    from panhuo.accounts.models import Organization, User


def import_upload(
    request: HttpRequest, *, organization: Organization, kind: str, actor: User | None
) -> ImportJob:
    """The job for the request's `file` (ApplicationError: no file, too large, unreadable…); runs after commit."""
    upload = request.FILES.get("file")
    job = import_job_create(
        organization=organization,
        kind=kind,
        uploaded_file=upload,
        original_name=upload.name if upload is not None else None,
        actor=actor,
    )
    job_id = job.pk
    transaction.on_commit(lambda: import_job_task(job_id))
    return job


def upload_error(exc: ApplicationError) -> str:
    """A refused upload as the page shows it: 中文（English）."""
    return f"{exc.message_zh}（{exc.message_en}）" if exc.message_en else exc.message_zh


def kind_import_page(request: HttpRequest, *, kind: str, template: str, job_url: str) -> HttpResponse:
    """A page that imports one kind for the user's organization: the upload (then the job page at `job_url`), or
    the form with the error and the recent jobs of that kind (template context: `jobs`, `error`)."""
    user = acting_user(request)
    error, status = "", 200
    if request.method == "POST":
        try:
            if user.organization is None:
                raise PermissionRefused("账号未关联机构", "your account belongs to no organization")
            job = import_upload(request, organization=user.organization, kind=kind, actor=user)
        except ApplicationError as exc:
            error, status = upload_error(exc), 400
        else:
            return redirect(job_url, pk=job.pk)
    jobs = import_jobs_visible(user).filter(kind=kind)[:30]
    return render(request, template, {"jobs": jobs, "error": error}, status=status)
