"""技术交底 → 申请前评估 → filing → 申请号: the record reaches the 基础库 without retyping; refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.common.models import AuditEvent
from panhuo.disclosures import services
from panhuo.disclosures.models import Decision, Disclosure, DisclosureState, Filing, PreFilingEvaluation
from panhuo.disclosures.services import DisclosureContent, InventorShare
from panhuo.disclosures.tests.conftest import DISCLOSURE, app_no
from panhuo.patents.models import InventoryRecord, InventoryState, LegalStatus, Patent

pytestmark = pytest.mark.django_db


def _decide(actor, d, decision=Decision.FILE_INVENTION, **kw):
    kw.setdefault("reasons", "技术方案新颖，企业需求明确")
    kw.setdefault("novelty_notes", "检索到的相似专利均为未包覆方案")
    kw.setdefault("deadline", timezone.localdate() + timedelta(days=30))
    return services.evaluation_decide(actor=actor, disclosure=d, decision=decision, **kw)


def test_inventor_gets_every_error_at_once_and_nothing_is_saved(inventor):
    bad = {
        **DISCLOSURE,
        "title": "",
        "funding_projects": [],
        "inventors": [InventorShare("张三", "60"), InventorShare("李四", "30")],
    }
    with pytest.raises(ApplicationError) as caught:
        services.disclosure_create(actor=inventor, content=DisclosureContent(**bad))
    fields = [e.field for e in caught.value.errors]
    assert fields == ["title", "funding_projects", "inventors"]
    assert "发明人贡献比例合计应为 100%，现为 90%" in caught.value.message_zh
    assert "财政资助项目须填写项目编号" in caught.value.message_zh
    assert Disclosure.objects.count() == 0


def test_share_must_be_a_positive_percentage(inventor):
    bad = {**DISCLOSURE, "inventors": [InventorShare("张三", "abc"), InventorShare("李四", "100")]}
    with pytest.raises(ApplicationError) as caught:
        services.disclosure_create(actor=inventor, content=DisclosureContent(**bad))
    assert [(e.field, e.message_zh, e.message_en) for e in caught.value.errors] == [
        (
            "inventors",
            "第 1 名发明人贡献比例不正确：abc（应为大于 0 的百分数，最多两位小数）",
            "inventor 1: share 'abc' must be a positive percentage, two decimals",
        )
    ]


def test_whole_journey_links_the_application_into_the_inventory(submitted, college_admin, university):
    d = submitted
    assert d.state == DisclosureState.SUBMITTED
    assert list(d.inventors.values_list("name", "share_bp")) == [("张三", 6000), ("李四", 4000)]
    # the inventor's own account is linked to the matching name
    assert d.inventors.get(name="张三").user_id == d.submitted_by_id

    _decide(college_admin, d)
    d.refresh_from_db()
    assert d.state == DisclosureState.DECIDED

    filed_on = timezone.localdate()
    filing = services.filing_record(
        actor=college_admin, disclosure=d, filed_on=filed_on, agency="甲专利代理所"
    )
    d.refresh_from_db()
    assert d.state == DisclosureState.FILED and filing.app_no == "" and filing.patent_id is None
    assert Patent.objects.count() == 0

    number = app_no("202410123456")
    services.filing_link(actor=college_admin, disclosure=d, app_no=f"CN {number}")
    filing.refresh_from_db()
    patent = Patent.objects.get(app_no=number)
    assert filing.patent_id == patent.pk and filing.app_no == number
    assert patent.title == DISCLOSURE["title"]
    assert patent.patent_type == "invention" and patent.legal_status == LegalStatus.PENDING
    assert patent.inventors == ["张三", "李四"] and patent.applicants == [university.name]
    assert patent.application_date == filed_on
    record = InventoryRecord.objects.get(patent=patent)
    assert filing.inventory_record_id == record.pk
    assert record.organization_id == university.pk and record.college_id == d.college_id
    assert record.state == InventoryState.UNFILED and record.fiscal_funded is True
    actions = list(
        AuditEvent.objects.filter(action__startswith="disclosure.").values_list("action", flat=True)
    )
    assert actions == ["disclosure.create", "disclosure.decide", "disclosure.file", "disclosure.link"]


def test_application_number_at_filing_time_and_wrong_type_refused(submitted, institution_admin):
    _decide(institution_admin, submitted, decision=Decision.FILE_UTILITY)
    utility_wrong = app_no("202410123456")  # an invention number for a utility-model decision
    with pytest.raises(ApplicationError) as caught:
        services.filing_record(
            actor=institution_admin, disclosure=submitted, filed_on=timezone.localdate(), app_no=utility_wrong
        )
    assert caught.value.code == "app_no_type" and caught.value.field == "app_no"
    submitted.refresh_from_db()
    assert submitted.state == DisclosureState.DECIDED
    assert Filing.objects.count() == 0 and Patent.objects.count() == 0
    with pytest.raises(ApplicationError) as caught:
        services.filing_record(
            actor=institution_admin,
            disclosure=submitted,
            filed_on=timezone.localdate(),
            app_no="202420123456.0",
        )
    assert caught.value.code == "app_no_check_digit"
    number = app_no("202420123456")
    services.filing_record(
        actor=institution_admin, disclosure=submitted, filed_on=timezone.localdate(), app_no=number
    )
    assert Patent.objects.get(app_no=number).patent_type == "utility"


def test_number_of_another_institution_is_refused(submitted, institution_admin, other_university):
    number = app_no("202410654321")
    foreign = Patent.objects.create(app_no=number, patent_type="invention", title="乙大学的专利")
    InventoryRecord.objects.create(organization=other_university, patent=foreign)
    _decide(institution_admin, submitted)
    services.filing_record(actor=institution_admin, disclosure=submitted, filed_on=timezone.localdate())
    with pytest.raises(ApplicationError) as caught:
        services.filing_link(actor=institution_admin, disclosure=submitted, app_no=number)
    assert caught.value.code == "app_no_other_holder"
    filing = Filing.objects.get()
    assert filing.app_no == "" and filing.patent_id is None
    assert InventoryRecord.objects.filter(patent=foreign).count() == 1


def test_decision_not_to_file_refuses_a_filing(submitted, institution_admin):
    _decide(institution_admin, submitted, decision=Decision.KNOW_HOW, deadline=None, novelty_notes="")
    with pytest.raises(ApplicationError) as caught:
        services.filing_record(actor=institution_admin, disclosure=submitted, filed_on=timezone.localdate())
    assert caught.value.code == "not_for_filing"
    assert Filing.objects.count() == 0


def test_decision_errors_all_at_once(submitted, institution_admin):
    with pytest.raises(ApplicationError) as caught:
        services.evaluation_decide(
            actor=institution_admin,
            disclosure=submitted,
            decision=Decision.FILE_INVENTION,
            reasons="",
            deadline=timezone.localdate() - timedelta(days=1),
        )
    assert [e.field for e in caught.value.errors] == ["reasons", "novelty_notes", "deadline"]
    assert PreFilingEvaluation.objects.count() == 0
    submitted.refresh_from_db()
    assert submitted.state == DisclosureState.SUBMITTED


def test_inventor_cannot_evaluate_and_cannot_edit_after_submitting(submitted, inventor):
    with pytest.raises(PermissionRefused):
        _decide(inventor, submitted)
    with pytest.raises(ApplicationError) as caught:
        services.disclosure_update(
            actor=inventor, disclosure=submitted, content=DisclosureContent(**{**DISCLOSURE, "title": "改名"})
        )
    assert caught.value.code == "disclosure_state"
    submitted.refresh_from_db()
    assert submitted.title == DISCLOSURE["title"] and PreFilingEvaluation.objects.count() == 0


def test_draft_then_submit(inventor):
    d = services.disclosure_create(actor=inventor, content=DisclosureContent(**DISCLOSURE))
    assert d.state == DisclosureState.DRAFT and d.submitted_at is None
    services.disclosure_update(
        actor=inventor, disclosure=d, content=DisclosureContent(**{**DISCLOSURE, "title": "改进的包覆方法"})
    )
    services.disclosure_submit(actor=inventor, disclosure=d)
    d.refresh_from_db()
    assert d.title == "改进的包覆方法" and d.state == DisclosureState.SUBMITTED and d.submitted_at is not None


def test_enterprise_user_cannot_disclose(enterprise_user):
    with pytest.raises(PermissionRefused):
        services.disclosure_create(actor=enterprise_user, content=DisclosureContent(**DISCLOSURE))
    assert Disclosure.objects.count() == 0


def test_similar_patents_come_from_panhuo_matching(
    submitted, institution_admin, university, other_university
):
    from panhuo.matching.tests.conftest import make_patent

    pooled = make_patent(
        "CN100000001A", "锂离子电池正极材料包覆方法", "H01M4/505", other_university, "pooled"
    )
    make_patent("CN100000004A", "一种壳聚糖可食用保鲜涂膜及其应用", "A23B7/16", other_university, "pooled")
    hidden = make_patent(
        "CN100000009A", "锂离子电池正极材料氧化铝包覆", "H01M4/505", other_university, "draft"
    )
    call_command("index", "build", stdout=_Sink())
    evaluation = services.evaluation_search_similar(actor=institution_admin, disclosure=submitted)
    keys = [s["key"] for s in evaluation.similar_patents]
    assert keys[0] == pooled.key
    assert hidden.key not in keys  # another institution's un-pooled record is not shown
    top = evaluation.similar_patents[0]
    scores = [s["similarity"] for s in evaluation.similar_patents]
    assert top["similarity"] > 0 and scores == sorted(scores, reverse=True) and top["title"] == pooled.title
    assert evaluation.searched_at is not None


class _Sink:
    def write(self, s):
        pass

    def flush(self):
        pass
