from engine.classification.scope import IndustryText, ScopeSuggester

CLASSES = [
    IndustryText("3491", "工业机器人制造", "◇ 指用于工业自动化领域的工业机器人的制造。◆ 不包括：服务机器人"),
    IndustryText("3841", "锂离子电池制造", "◇ 指以锂离子电池为主的制造活动"),
    IndustryText("6513", "应用软件开发", "◇ 指独立销售的面向应用需求的软件和解决方案软件"),
    IndustryText("0111", "稻谷种植", "◇ 包括对下列稻谷的种植活动"),
]


def test_scope_ranks_named_class_first() -> None:
    s = ScopeSuggester(CLASSES)
    out = s.suggest("工业机器人制造；智能装备销售（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）")
    assert out[0].code == "3491"
    assert out[0].name == "工业机器人制造"
    assert "机器人" in out[0].matched_terms
    assert 0 < out[0].score <= 1


def test_excludes_text_is_not_evidence() -> None:
    s = ScopeSuggester(CLASSES)
    out = s.suggest("服务机器人")
    assert all("服务" not in r.matched_terms for r in out)


def test_empty_or_boilerplate_scope_gives_nothing() -> None:
    s = ScopeSuggester(CLASSES)
    assert s.suggest("") == []
    assert s.suggest("一般项目：技术服务、技术开发") == []


def test_top_limits_results() -> None:
    s = ScopeSuggester(CLASSES)
    assert len(s.suggest("锂离子电池 应用软件 稻谷 工业机器人", top=2)) == 2


def test_trade_classes_need_trade_words() -> None:
    classes = [
        *CLASSES,
        IndustryText("5152", "中药批发", "◇ 指中药材、中药饮片的批发"),
        IndustryText("2730", "中药饮片加工", ""),
    ]
    s = ScopeSuggester(classes)
    assert s.suggest("中药饮片加工")[0].code == "2730"
    assert s.suggest("中药饮片批发")[0].code == "5152"
