from engine.classification.derived import DerivedRow
from panhuo.classification.loaders import SEI_EDITION
from panhuo.classification.models import ConcordanceEdition, ConcordanceRule, IpcNode, SeiRule
from panhuo.classification.services import derived_mapping_store

SMALL_IPC = [
    ("G", "section", "", "物理"),
    ("G06", "class", "G", "计算；推算或计数"),
    ("G06N", "subclass", "G06", "基于特定计算模型的计算机系统"),
    ("G06N3/00", "main_group", "G06N", "基于生物学模型的计算机系统"),
    ("G06N3/08", "subgroup", "G06N3/00", "学习方法"),
    ("H", "section", "", "电学"),
    ("H01", "class", "H", "基本电气元件"),
    ("H01M", "subclass", "H01", "用于直接转变化学能为电能的方法或装置"),
    ("H01M4/00", "main_group", "H01M", "电极"),
    ("H01M4/86", "subgroup", "H01M4/00", "惰性电极"),
    ("H01M10/00", "main_group", "H01M", "二次电池"),
    ("H01M10/0525", "subgroup", "H01M10/00", "摇椅式电池"),
    ("H10", "class", "H", "半导体器件"),
    ("H10F", "subclass", "H10", "对红外辐射、光敏感的无机半导体器件"),
    ("H10F10/00", "main_group", "H10F", "光伏电池"),
    ("B", "section", "", "作业；运输"),
    ("B60", "class", "B", "一般车辆"),
    ("B60L", "subclass", "B60", "电动车辆动力装置"),
    ("B60L53/00", "main_group", "B60L", "电动车辆充电"),
]


def build_small_reference() -> None:
    """GB/T 4754 (real, loaded by the caller), a handful of IPC codes, real SEI rows, a tiny derived edition."""
    IpcNode.objects.bulk_create([IpcNode(code=c, level=lv, parent=p, title=t) for c, lv, p, t in SMALL_IPC])
    # real rules of sei_2021.csv (13, 29, 30) and two real rows of ipc_to_sei_2021.csv
    SeiRule.objects.create(rule_no=13, sei_code="1.2", sei_name="电子核心产业", keywords="集成电路制造")
    SeiRule.objects.create(rule_no=29, sei_code="1.5", sei_name="人工智能", keywords="人工智能优化操作系统")
    SeiRule.objects.create(rule_no=30, sei_code="1.5", sei_name="人工智能", keywords="生产领域人工智能系统")
    sei = ConcordanceEdition.objects.create(
        key=SEI_EDITION, name="SEI 2021", target="sei", kind="official", exact_codes=True, rule_count=2
    )
    ConcordanceRule.objects.create(
        edition=sei,
        row_no=1,
        pattern="G06N3/08",
        target_code="1.5",
        target_name="人工智能",
        sources="sei-rule:30",
    )
    ConcordanceRule.objects.create(
        edition=sei,
        row_no=2,
        pattern="G06N3/00",
        target_code="1.5",
        target_name="人工智能",
        sources="sei-rule:29",
    )
    derived_mapping_store(
        rows=[
            DerivedRow("G06N3/00", "6513", "应用软件开发", 0.6, ("sei", "text")),
            DerivedRow("H01M10/00", "3841", "锂离子电池制造", 0.7, ("sei", "nace", "text")),
            DerivedRow("H10F10/00", "3825", "光伏设备及元器件制造", 0.5, ("sei",)),
        ]
    )
