"""The review queue at scale: search, college filter, sort and batch approval (each record its own review)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.patents.models import InventoryRecord, InventoryState, ReviewEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(university, cs, me, make_patent):
    now = timezone.now()
    titles = [("一种锂电池极片检测方法", cs), ("一种齿轮箱润滑装置", me), ("一种锂电池隔膜", me)]
    return [
        InventoryRecord.objects.create(
            organization=university,
            patent=make_patent(title=title),
            college=college,
            state=InventoryState.INSTITUTION_REVIEW,
            submitted_at=now - timedelta(days=10 - i),
        )
        for i, (title, college) in enumerate(titles)
    ]


def _rows(response):
    return [r.pk for r in response.context["page"]]


def test_search_filter_and_sort(client, institution_admin, waiting, me):
    client.force_login(institution_admin)
    url = reverse("patents:queue")
    assert _rows(client.get(url)) == [r.pk for r in waiting]
    assert _rows(client.get(url, {"q": "锂电池"})) == [waiting[0].pk, waiting[2].pk]
    assert _rows(client.get(url, {"college": me.pk})) == [waiting[1].pk, waiting[2].pk]
    assert _rows(client.get(url, {"q": "锂电池", "college": me.pk, "sort": "-submitted"})) == [waiting[2].pk]
    by_title = list(InventoryRecord.objects.order_by("patent__title", "pk").values_list("pk", flat=True))
    assert by_title != [r.pk for r in waiting] and _rows(client.get(url, {"sort": "title"})) == by_title
    assert _rows(client.get(url, {"q": waiting[1].patent.pub_no})) == [waiting[1].pk]


def test_batch_approve_pools_the_ticked_records_only(client, institution_admin, waiting):
    client.force_login(institution_admin)
    r = client.post(
        reverse("patents:review-batch"),
        {"records": [waiting[0].pk, waiting[2].pk], "comment": "同意", "q": "锂电池"},
    )
    assert (
        r.status_code == 302 and r["Location"] == reverse("patents:queue") + "?q=%E9%94%82%E7%94%B5%E6%B1%A0"
    )
    states = dict(InventoryRecord.objects.values_list("pk", "state"))
    assert states == {
        waiting[0].pk: InventoryState.POOLED,
        waiting[1].pk: InventoryState.INSTITUTION_REVIEW,
        waiting[2].pk: InventoryState.POOLED,
    }
    assert ReviewEvent.objects.filter(action="approve").count() == 2


def test_batch_approve_refuses_records_outside_the_reviewers_queue(
    client, college_admin, other_admin, waiting
):
    client.force_login(other_admin)  # another institution
    client.post(reverse("patents:review-batch"), {"records": [waiting[0].pk]})
    client.force_login(college_admin)  # the college level has no 待学校审核 records to approve
    client.post(reverse("patents:review-batch"), {"records": [waiting[1].pk]})
    assert set(InventoryRecord.objects.values_list("state", flat=True)) == {InventoryState.INSTITUTION_REVIEW}
    assert ReviewEvent.objects.count() == 0


def test_the_batch_button_asks_for_confirmation(client, institution_admin, waiting):
    client.force_login(institution_admin)
    page = client.get(reverse("patents:queue")).content.decode()
    assert 'id="batch-approve" data-confirm="确定批量通过选中的 {n} 条记录吗' in page


def test_fill_and_submit_marks_every_missing_field_on_the_same_form(client, inventor, record):
    """建档 with 保存并提交 but fields missing: the draft is saved, the form comes back with each one marked."""
    client.force_login(inventor)
    r = client.post(
        reverse("patents:fill", args=[record.pk]),
        {"first_inventor": "张三", "application_scenarios": "固态电池中试线", "then": "submit"},
    )
    page = r.content.decode()
    assert r.status_code == 400
    for field in ("fiscal_funded", "implementation_status", "conversion_intent", "trl", "value_self_grade"):
        assert f'id="error_{field}"' in page, field
    assert "固态电池中试线</textarea>" in page
    record.refresh_from_db()
    assert record.state == InventoryState.DRAFT and record.first_inventor == "张三"
