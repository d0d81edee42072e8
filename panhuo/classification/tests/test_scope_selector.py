import pytest

from panhuo.classification.selectors import IndustrySuggestion, suggest_industries_for_scope


@pytest.mark.django_db
def test_scope_suggestions_use_official_classes(industries: None) -> None:
    out = suggest_industries_for_scope("锂离子电池制造；新能源汽车电附件销售", top=5)
    assert len(out) == 5
    assert isinstance(out[0], IndustrySuggestion)
    assert out[0].code == "3841"
    assert out[0].name == "锂离子电池制造"
    assert "锂离子" in out[0].matched_terms
    assert [s.score for s in out] == sorted((s.score for s in out), reverse=True)


@pytest.mark.django_db
def test_scope_without_content_words_is_empty(industries: None) -> None:
    assert suggest_industries_for_scope("   ") == []
    assert suggest_industries_for_scope("（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）") == []


@pytest.mark.django_db
def test_scope_without_reference_data_is_empty() -> None:
    assert suggest_industries_for_scope("工业机器人制造") == []
