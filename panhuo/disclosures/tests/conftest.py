from __future__ import annotations

import pytest

from engine.identifiers.application_number import check_character
from panhuo.disclosures.services import DisclosureContent, InventorShare, disclosure_create
from panhuo.matching import index as idx


def app_no(body: str) -> str:
    """A valid canonical 申请号 for a 12-digit body ("202410123456" -> "202410123456.X")."""
    return f"{body}.{check_character(body)}"


DISCLOSURE = {
    "title": "一种高镍三元锂离子电池正极材料的包覆方法",
    "field": "锂离子电池正极材料",
    "problem": "高镍三元正极材料循环过程中表面副反应多，容量衰减快。",
    "solution": "在前驱体烧结后以原子层沉积包覆氧化铝，控制包覆厚度 2–5 nm。",
    "advantages": "循环 500 次容量保持率提高到 92%。",
    "prior_art": "CN100000001A 锂离子电池正极材料及其制备方法",
    "funding_source": "fiscal",
    "funding_projects": ["2023YFB2400100"],
    "inventors": [InventorShare("张三", "60"), InventorShare("李四", "40")],
}


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.INDEX_DIR = tmp_path / "index"
    idx.forget()
    yield settings.INDEX_DIR
    idx.forget()


@pytest.fixture
def submitted(inventor):
    return disclosure_create(actor=inventor, submit=True, content=DisclosureContent(**DISCLOSURE))
