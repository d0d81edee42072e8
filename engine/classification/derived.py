"""The DERIVED IPC main group -> GB/T 4754 小类 mapping (the official CNIPA 2018 table is not available).

Three kinds of evidence, each explainable per row:
- sei: the official IPC -> 战略性新兴产业 (2021) rows of the group lead to SEI branches; GB/T 4754 classes tagged
  `strategic` under that branch (category path) are the candidates, ranked by text similarity with the rule
  keywords and the IPC titles. A group without own SEI rows borrows its subclass's SEI branches (x0.6).
- nace: Fraunhofer ISI P(NACE division | IPC class) carried to GB/T 4754 大类 through the hand-built bridge
  (engine/classification/bridge.py), then spread over the 小类 of each 大类 by text similarity. Trade,
  finance and head-office divisions are dropped (they say who owns patents, not what the technology makes).
- text: TF-IDF cosine between the IPC titles (group, subclass, subgroups) and class name + 包括 notes.
score = 0.65 sei + 0.15 nace + 0.2 text (each in 0..1); confidence = score / weights of the evidence present.
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.classification.bridge import GBT_DIVISION_TO_NACE
from engine.classification.scope import IndustryText, includes_only
from engine.classification.text import TfidfIndex, bag, clean_ipc_title

WEIGHTS = {"sei": 0.65, "nace": 0.15, "text": 0.2}
NEIGHBOUR_FACTOR = 0.6
# NACE divisions that describe the patent owner's trade rather than the technology.
NACE_DROPPED = frozenset({"45", "46", "47", "64", "65", "66", "70", "82"})


# SEI 2021 code's first digit -> first level of the 2018 category paths (materials have no second level there)
SEI_FAMILY = {
    "1": "新一代信息技术产业",
    "2": "高端装备制造产业",
    "3": "新材料产业",
    "4": "生物产业",
    "5": "新能源汽车产业",
    "6": "新能源产业",
    "7": "节能环保产业",
    "8": "数字创意产业",
    "9": "相关服务业",
}


@dataclass(frozen=True)
class StrategicClass:
    code: str  # GB/T 4754 小类
    path: tuple[str, ...]  # category path, e.g. ("新一代信息技术产业", "电子核心产业", "集成电路制造")
    text: str  # products + category path


@dataclass(frozen=True)
class DerivedRow:
    ipc_group: str  # "G06N3/00"
    code: str
    name: str
    confidence: float
    sources: tuple[str, ...]  # subset of ("sei", "sei-neighbour", "nace", "text")


@dataclass
class DerivedInputs:
    ipc_texts: Mapping[str, str]  # main group -> titles text
    classes: Sequence[IndustryText]  # 小类
    sei_rows: Mapping[str, Sequence[tuple[str, str]]]  # main group -> [(sei code, rule keywords)]
    sei_names: Mapping[str, str]  # sei code "1.2" -> "电子核心产业"
    strategic: Sequence[StrategicClass]
    nace_shares: Mapping[str, Mapping[str, float]]  # IPC class (3 chars) -> NACE division -> share
    held_out: frozenset[str] = field(default_factory=frozenset)  # groups whose own SEI rows are hidden


def held_out_split(groups: Iterable[str], percent: int = 20) -> frozenset[str]:
    """Deterministic held-out set: crc32(group) % 100 < percent."""
    return frozenset(g for g in groups if zlib.crc32(g.encode()) % 100 < percent)


class DerivedMapper:
    def __init__(self, inputs: DerivedInputs, weights: Mapping[str, float] | None = None) -> None:
        self.inputs = inputs
        self.weights = dict(weights or WEIGHTS)
        self.classes = list(inputs.classes)
        self.pos = {c.code: i for i, c in enumerate(self.classes)}
        self.index = TfidfIndex.build(
            [
                (c.code, bag([(c.name, 3), (c.parent_names, 1), (includes_only(c.notes), 1)]))
                for c in self.classes
            ]
        )
        # SEI branch -> candidate classes with their product text
        by_path: dict[str, list[int]] = defaultdict(list)
        self.chain_text: dict[int, str] = defaultdict(str)
        for s in inputs.strategic:
            i = self.pos.get(s.code)
            if i is None:
                continue
            for key in {s.path[0], " > ".join(s.path[:2])}:
                if i not in by_path[key]:
                    by_path[key].append(i)
            self.chain_text[i] += " " + s.text
        # SEI code -> candidate classes: same second level (prefix: upstream cut some names), else the family
        self.chain: dict[str, list[int]] = {}
        for code, name in inputs.sei_names.items():
            family = SEI_FAMILY.get(code[:1], "")
            members: list[int] = []
            for key, idx in by_path.items():
                parts = key.split(" > ")
                if len(parts) == 2 and parts[0] == family and parts[1].startswith(name):
                    members += [i for i in idx if i not in members]
            self.chain[code] = members or list(by_path.get(family, []))
        self.chain_index = TfidfIndex.build(
            [
                (self.classes[i].code, bag([(self.classes[i].name, 2), (t, 1)]))
                for i, t in self.chain_text.items()
            ]
        )
        self.chain_pos = {i: n for n, i in enumerate(self.chain_text)}
        self.by_big: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(self.classes):
            self.by_big[c.code[:2]].append(i)
        self.nace_to_big: dict[str, list[str]] = defaultdict(list)
        for big, nace in GBT_DIVISION_TO_NACE.items():
            self.nace_to_big[nace].append(big)
        # subclass -> SEI branch shares over the groups that are not held out
        self.neighbour: dict[str, Counter[str]] = defaultdict(Counter)
        for g, rows in inputs.sei_rows.items():
            if g in inputs.held_out:
                continue
            for name, _ in rows:
                self.neighbour[g[:4]][name] += 1

    def chain_members(self, sei_code: str) -> list[str]:
        return [self.classes[i].code for i in self.chain.get(sei_code, [])]

    def map_group(self, group: str, top: int = 3) -> list[DerivedRow]:
        text = self.inputs.ipc_texts.get(group, "")
        query = bag([(text, 1)])
        text_raw = self.index.query(query)
        tmax = max(text_raw.values(), default=0.0) or 1.0
        text_s = {i: s / tmax for i, s in text_raw.items()}

        sei_s: dict[int, float] = {}
        sei_label = "sei"
        rows = [] if group in self.inputs.held_out else list(self.inputs.sei_rows.get(group, ()))
        weights_by_name: Counter[str] = Counter()
        keywords: dict[str, str] = defaultdict(str)
        for name, kw in rows:
            weights_by_name[name] += 1
            keywords[name] += " " + kw
        factor = 1.0
        if not weights_by_name and self.neighbour.get(group[:4]):
            weights_by_name = self.neighbour[group[:4]]
            factor, sei_label = NEIGHBOUR_FACTOR, "sei-neighbour"
        total = sum(weights_by_name.values())
        for name, n in weights_by_name.items():
            members = self.chain.get(name, [])
            if not members:
                continue
            sims = self.chain_index.query(bag([(text, 1), (keywords.get(name, ""), 1)]))
            member_sims = {i: sims.get(self.chain_pos[i], 0.0) for i in members}
            smax = max(member_sims.values(), default=0.0) or 1.0
            for i in members:
                sei_s[i] = sei_s.get(i, 0.0) + factor * (n / total) * (0.5 + 0.5 * member_sims[i] / smax)

        nace_s: dict[int, float] = {}
        shares = {
            k: v for k, v in self.inputs.nace_shares.get(group[:3], {}).items() if k not in NACE_DROPPED
        }
        big_p: dict[str, float] = defaultdict(float)
        for nace, share in shares.items():
            bigs = self.nace_to_big.get(nace, [])
            for big in bigs:
                big_p[big] += share / len(bigs)
        pmax = max(big_p.values(), default=0.0)
        for big, p in big_p.items():
            members = self.by_big.get(big, [])
            bmax = max((text_s.get(i, 0.0) for i in members), default=0.0) or 1.0
            for i in members:
                nace_s[i] = (p / pmax) * (0.5 + 0.5 * text_s.get(i, 0.0) / bmax)

        present = {"text": bool(text_s), "sei": bool(sei_s), "nace": bool(nace_s)}
        wsum = sum(self.weights[k] for k, v in present.items() if v) or 1.0
        combined: dict[int, float] = defaultdict(float)
        for comp, scores in (("sei", sei_s), ("nace", nace_s), ("text", text_s)):
            w = self.weights[comp]
            for i, s in scores.items():
                combined[i] += w * s
        ranked = sorted(combined.items(), key=lambda kv: (-kv[1], self.classes[kv[0]].code))[:top]
        out = []
        for i, s in ranked:
            srcs = []
            if sei_s.get(i):
                srcs.append(sei_label)
            if nace_s.get(i):
                srcs.append("nace")
            if text_s.get(i):
                srcs.append("text")
            c = self.classes[i]
            out.append(DerivedRow(group, c.code, c.name, round(min(1.0, s / wsum), 4), tuple(srcs)))
        return out

    def map_all(self, groups: Iterable[str], top: int = 3) -> list[DerivedRow]:
        out: list[DerivedRow] = []
        for g in groups:
            out += self.map_group(g, top=top)
        return out


def sei_chain_classes(mapper: DerivedMapper, sei_codes: Iterable[str]) -> set[str]:
    """The official chain: every GB/T 4754 class tagged under one of the group's SEI branches."""
    out: set[str] = set()
    for n in sei_codes:
        out.update(mapper.chain_members(n))
    return out


def ipc_group_texts(nodes: Iterable[tuple[str, str, str, str]], max_subgroups: int = 25) -> dict[str, str]:
    """(code, level, parent, title) rows of the IPC scheme -> main group -> subclass + group + subgroup titles."""
    subclass_title: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for code, level, parent, title in nodes:
        t = clean_ipc_title(title)
        if level == "subclass":
            subclass_title[code] = t
        elif level == "main_group":
            groups.setdefault(code, []).insert(0, t)
        elif level == "subgroup":
            lst = groups.setdefault(parent, [])
            if len(lst) < max_subgroups:
                lst.append(t)
    return {g: f"{subclass_title.get(g[:4], '')} {' '.join(ts)}" for g, ts in groups.items()}
