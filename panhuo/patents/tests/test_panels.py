"""The patent-page extension point: panels declared on AppConfigs appear on the detail page."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from panhuo.patents.models import InventoryState
from panhuo.patents.panels import patent_panels

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_panels(monkeypatch):
    """Other apps' real declarations are set aside so these tests see only their own."""
    for config in apps.get_app_configs():
        monkeypatch.setattr(config, "patent_panels", [], raising=False)


@pytest.fixture
def declared_panels(no_panels, monkeypatch):
    config = apps.get_app_config("patents")
    monkeypatch.setattr(
        config,
        "patent_panels",
        [
            ("详情自身", "patents:detail", None),  # reverses with the pk: shown
            ("只给企业", "patents:detail", ("enterprise_user",)),  # role filtered
            ("无参数", "patents:list", None),  # does not reverse with a pk: skipped
            ("不存在", "nowhere:panel", None),  # unknown url name: skipped
            "malformed",  # ignored, never breaks the page
        ],
    )


def test_panels_filter_by_role_and_reversibility(declared_panels, record, inventor, enterprise_user):
    pk = record.patent_id
    assert [(p.title, p.url, p.app_label) for p in patent_panels(inventor, pk)] == [
        ("详情自身", f"/patents/{pk}/", "patents")
    ]
    assert [p.title for p in patent_panels(enterprise_user, pk)] == ["详情自身", "只给企业"]


def test_detail_page_renders_panel_sections_and_script(declared_panels, client, record, inventor):
    client.force_login(inventor)
    response = client.get(reverse("patents:detail", args=[record.patent_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="panel card"') == 1
    assert f'data-fragment-url="/patents/{record.patent_id}/"' in html
    assert "patents/panels.js" in html


def test_no_panels_no_script(no_panels, client, record, inventor):
    client.force_login(inventor)
    html = client.get(reverse("patents:detail", args=[record.patent_id])).content.decode()
    assert "panels.js" not in html
    assert record.state == InventoryState.UNFILED
