import pytest

from panhuo.classification.loaders import load_industries
from panhuo.classification.models import ClassificationRun, NodeCount
from panhuo.classification.services import edition_import
from panhuo.classification.tests.reference_fixture import build_small_reference
from panhuo.common.models import AuditEvent
from panhuo.patents.industries import classification_due, patent_industries_compute, patent_industries_refresh
from panhuo.patents.models import Patent, PatentIndustry


@pytest.fixture
def reference(db: None) -> None:
    load_industries()
    build_small_reference()


def _patent(pub_no: str, codes: list[str], title: str = "一种装置") -> Patent:
    return Patent.objects.create(
        pub_no=pub_no,
        patent_type="invention",
        title=title,
        ipc_main=codes[0] if codes else "",
        ipc_codes=codes,
    )


@pytest.mark.django_db
def test_every_patent_gets_industries_sei_tags_and_historic_flags(reference: None) -> None:
    ai = _patent("CN1A", ["G06N3/08"], "一种神经网络训练方法")
    old = _patent("CN2A", ["H01L31/18", "H10F10/00"], "太阳能电池")
    bad = _patent("CN3A", ["NOT-IPC"])
    empty = _patent("CN4A", [])
    n = patent_industries_compute()
    assert n == 4
    rows = {(r.scheme, r.code): r for r in PatentIndustry.objects.filter(patent=ai)}
    assert set(rows) >= {("gbt4754", "6513"), ("gbt4754", "65"), ("sei", "1.5"), ("tag", "digital")}
    assert rows[("gbt4754", "6513")].level == 4
    assert rows[("gbt4754", "65")].level == 2
    assert rows[("gbt4754", "6513")].derived is True
    assert rows[("gbt4754", "6513")].source == "derived:derived-gbt4754"
    assert rows[("sei", "1.5")].derived is False
    old.refresh_from_db()
    assert old.ipc_historic == ["H01L31/18"]
    assert PatentIndustry.objects.filter(patent=old, scheme="gbt4754", code="3825").exists()
    assert not PatentIndustry.objects.filter(patent__in=[bad, empty]).exists()
    counts = dict(NodeCount.objects.filter(scheme="gbt4754").values_list("code", "patents"))
    assert counts["6513"] == 1 and counts["65"] == 1 and counts["I"] == 1
    assert dict(NodeCount.objects.filter(scheme="ipc").values_list("code", "patents"))["G06N3/00"] == 1
    assert AuditEvent.objects.filter(action="patents.industries_compute").count() == 1


@pytest.mark.django_db
def test_recomputed_when_a_table_changes_and_self_heals(reference: None) -> None:
    p = _patent("CN1A", ["G06N3/08"])
    assert classification_due() == "full"
    patent_industries_refresh.call_local()
    assert classification_due() == "unclassified"
    late = _patent("CN9A", ["H01M10/0525"])
    patent_industries_refresh.call_local()  # only the unclassified one
    assert PatentIndustry.objects.filter(patent=late, scheme="gbt4754", code="3841").exists()
    assert ClassificationRun.objects.filter(full=False).count() == 1

    edition_import(
        filename="o.csv",
        content="行业代码,行业名称,IPC\n6520,集成电路设计,G06N*\n".encode(),
        target="gbt4754",
        name="官方",
    )
    assert classification_due() == "full"
    patent_industries_refresh.call_local()
    codes = set(PatentIndustry.objects.filter(patent=p, scheme="gbt4754").values_list("code", "derived"))
    assert codes == {("6520", False), ("65", False)}
