import json

import pytest
from django.test import Client

from panhuo.classification.models import ConcordanceEdition


@pytest.fixture
def client_in(make_user, university) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(make_user("inventor", university))
    return c


@pytest.mark.django_db
def test_browse_pages(small_reference: None, client_in: Client) -> None:
    r = client_in.get("/classification/")
    assert r.status_code == 200
    assert "推导（非官方）derived" in r.content.decode()
    r = client_in.get("/classification/ipc/")
    assert r.status_code == 200 and "G06N" not in r.content.decode() and "物理" in r.content.decode()
    r = client_in.get("/classification/ipc/", {"code": "g06n 3/00"})
    body = r.content.decode()
    assert r.status_code == 200 and "G06N3/08" in body and "学习方法" in body and "应用软件开发" in body
    assert client_in.get("/classification/ipc/", {"code": "G06N9/00"}).status_code == 404
    r = client_in.get("/classification/industries/", {"code": "3841"})
    body = r.content.decode()
    assert r.status_code == 200 and "锂离子电池制造" in body and 'id="includes"' in body
    r = client_in.get("/classification/search/", {"q": "锂离子"})
    assert "3841" in r.content.decode()
    r = client_in.get("/classification/suggest/", {"scope": "锂离子电池制造"})
    assert "3841" in r.content.decode()


@pytest.mark.django_db
def test_pages_need_sign_in_and_upload_needs_admin(small_reference: None, client_in: Client) -> None:
    assert Client().get("/classification/ipc/").status_code == 302
    editions = ConcordanceEdition.objects.count()
    r = client_in.post("/classification/editions/upload/", {"name": "x", "target": "gbt4754"})
    assert r.status_code == 403
    assert ConcordanceEdition.objects.count() == editions


@pytest.mark.django_db
def test_upload_reports_row_errors(small_reference: None, make_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PANHUO_OTP_ROLES = ()  # the second factor is tested in tests/security
    c = Client()
    c.force_login(make_user("system_admin", None))
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile(
        "t.csv", "行业代码,行业名称,IPC\n3841,锂离子电池制造,H01M*\n9999,x,G06N*\n".encode()
    )
    r = c.post("/classification/editions/upload/", {"name": "官方", "target": "gbt4754", "file": f})
    body = r.content.decode()
    assert r.status_code == 200 and "已导入 1 条规则" in body and "行业代码无效：9999" in body
    assert ConcordanceEdition.objects.get(key="derived-gbt4754").active is False


@pytest.mark.django_db
def test_an_office_cannot_replace_the_national_concordance(small_reference: None, make_user, office) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = Client()
    c.force_login(make_user("office_official", office))
    before = list(ConcordanceEdition.objects.values_list("key", "active").order_by("key"))
    f = SimpleUploadedFile("t.csv", "行业代码,行业名称,IPC\n3841,锂离子电池制造,H01M*\n".encode())
    r = c.post("/classification/editions/upload/", {"name": "本局版", "target": "gbt4754", "file": f})
    assert r.status_code == 403
    r = c.post("/classification/editions/activate/", {"key": "derived-gbt4754"})
    assert r.status_code == 403
    assert list(ConcordanceEdition.objects.values_list("key", "active").order_by("key")) == before


@pytest.mark.django_db
def test_api(small_reference: None, client_in: Client) -> None:
    r = client_in.get("/api/classification/classify", {"ipc": "G06N0003080000"})
    assert r.status_code == 200
    data = r.json()
    assert data["ipc"] == "G06N3/08" and data["derived"] is True
    assert data["industries"][0]["code"] == "6513"
    r = client_in.get("/api/classification/classify", {"ipc": "bogus"})
    assert r.status_code == 400 and r.json()["field"] == "ipc"
    assert client_in.get("/api/classification/ipc", {"code": "G06N 3/08"}).json()["title"] == "学习方法"
    assert client_in.get("/api/classification/industries/3841").json()["name"] == "锂离子电池制造"
    r = client_in.post(
        "/api/classification/scope",
        data=json.dumps({"text": "锂离子电池制造"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()[0]["code"] == "3841"
    assert Client().get("/api/classification/classify", {"ipc": "G06N3/08"}).status_code == 401
