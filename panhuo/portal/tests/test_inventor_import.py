"""Bulk inventor accounts through the imports framework: per-row errors in Chinese and English, idempotent."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from panhuo.accounts.models import Role, User
from panhuo.common.exports import xlsx_bytes
from panhuo.imports.models import ImportReject
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.portal.importing import INVENTOR_KIND

pytestmark = pytest.mark.django_db

HEADER = ["用户名", "姓名", "邮箱", "学院", "手机号"]


def upload(rows: list[list[str]]) -> SimpleUploadedFile:
    return SimpleUploadedFile("inventors.xlsx", xlsx_bytes({"发明人账号": (HEADER, rows)}))


def test_inventor_accounts_with_per_row_errors(university, make_user, django_capture_on_commit_callbacks):
    sysadmin = make_user(Role.SYSTEM_ADMIN, None, username="sys_import")
    rows = [
        ["zhao.liu", "赵六", "zhao@example.edu.cn", "CS", "13800000001"],
        ["qian.qi", "钱七", "qian@example.edu.cn", "机械学院", ""],
        ["x", "坏行", "not-an-email", "NOPE", "123"],
        [sysadmin.username, "冲突", "c@example.edu.cn", "", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            organization=university, kind=INVENTOR_KIND, uploaded_file=upload(rows), actor=sysadmin
        )
        job = import_job_run(job.pk)
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (2, 0, 0, 2)
    zhao = User.objects.get(username="zhao.liu")
    assert (zhao.role, zhao.organization_id, zhao.college.code, zhao.must_change_password) == (
        Role.INVENTOR,
        university.pk,
        "CS",
        True,
    )
    assert User.objects.get(username="qian.qi").college.code == "ME"
    rejects = set(ImportReject.objects.filter(job=job).values_list("line", "column", "code"))
    assert rejects == {
        (4, "username", "username_format"),
        (4, "email", "email_format"),
        (4, "college", "college_unknown"),
        (4, "phone", "phone_format"),
        (5, "username", "user_exists"),
    }
    assert all(r.message_zh and r.message_en for r in ImportReject.objects.filter(job=job))
    assert sorted(m.to[0] for m in mail.outbox) == ["qian@example.edu.cn", "zhao@example.edu.cn"]
    again = import_job_create(
        organization=university, kind=INVENTOR_KIND, uploaded_file=upload(rows), actor=sysadmin
    )
    again = import_job_run(again.pk)
    assert (again.inserted, again.unchanged, again.rejected) == (0, 2, 2)
    assert User.objects.filter(organization=university, role=Role.INVENTOR).count() == 2
