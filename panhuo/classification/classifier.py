"""The active concordance editions compiled into rule sets, cached per process and refreshed by watermark."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Max

from engine.classification.derived import SEI_FAMILY, ipc_group_texts
from engine.classification.guess import GroupGuesser
from engine.classification.ipc import IpcError, parse_ipc
from engine.classification.revision import RevisedCode, Reviser
from engine.classification.rules import Hit, Rule, RuleSet, parse_pattern
from panhuo.classification.models import ConcordanceEdition, Industry, IndustryTag, IpcNode, SeiRule

# Tags that are patent facets (the others — pension, culture — are not about technology).
PATENT_TAGS = ("ip_intensive", "digital", "highTech_mfg", "highTech_svc", "strategic")


def edition_watermark() -> str:
    """Changes whenever an edition is created, replaced, (de)activated or the reference data is reloaded."""
    agg = ConcordanceEdition.objects.filter(active=True).aggregate(m=Max("updated_at"))
    keys = ",".join(
        ConcordanceEdition.objects.filter(active=True).order_by("key").values_list("key", flat=True)
    )
    stamp = agg["m"].isoformat() if agg["m"] else "none"
    return f"{keys}@{stamp}#{IpcNode.objects.count()}"


@dataclass
class Compiled:
    watermark: str
    rule_sets: dict[str, tuple[ConcordanceEdition, RuleSet]]  # target -> (edition, rules)
    reviser: Reviser
    tags: dict[str, list[tuple[str, str, bool]]]  # gbt code -> [(tag, tag_name, partial)]
    names: dict[str, str]  # gbt code -> name
    levels: dict[str, int] = field(default_factory=dict)
    # gbt code -> [(sei code, name)]
    sei_via_gbt: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _guesser: GroupGuesser | None = None

    def group_guess(self, subclass: str, text: str) -> tuple[str, float] | None:
        """Main group of `subclass` whose titles best match `text` (index built on first use)."""
        if self._guesser is None:
            nodes = IpcNode.objects.values_list("code", "level", "parent", "title").iterator(chunk_size=5000)
            self._guesser = GroupGuesser(ipc_group_texts(nodes))
        return self._guesser.guess(subclass, text)


_lock = threading.Lock()
_compiled: Compiled | None = None


def active_edition(target: str) -> ConcordanceEdition | None:
    """The edition used for a target: an active official one wins over the derived one."""
    qs = ConcordanceEdition.objects.filter(target=target, active=True)
    return qs.filter(kind=ConcordanceEdition.Kind.OFFICIAL).order_by("-created_at").first() or qs.first()


def _rule_set(edition: ConcordanceEdition) -> RuleSet:
    rules = []
    for r in edition.rules.order_by("row_no").iterator(chunk_size=5000):
        rules.append(
            Rule(
                parse_pattern(r.pattern),
                r.target_code,
                r.target_name,
                exclusions=tuple(parse_pattern(x) for x in r.exclusions),
                include_keywords=tuple(r.include_keywords),
                exclude_keywords=tuple(r.exclude_keywords),
                confidence=r.confidence,
                row_no=r.row_no,
                sources=r.sources,
            )
        )
    return RuleSet(edition.key, rules, exact_codes=edition.exact_codes)


def compiled() -> Compiled:
    global _compiled
    mark = edition_watermark()
    with _lock:
        if _compiled is None or _compiled.watermark != mark:
            sets = {}
            for target in ConcordanceEdition.Target.values:
                ed = active_edition(target)
                if ed is not None:
                    sets[target] = (ed, _rule_set(ed))
            tags: dict[str, list[tuple[str, str, bool]]] = {}
            for code, tag, tag_name, partial in IndustryTag.objects.filter(tag__in=PATENT_TAGS).values_list(
                "code", "tag", "tag_name", "partial"
            ):
                lst = tags.setdefault(code, [])
                if all(t != tag for t, _, _ in lst):
                    lst.append((tag, tag_name, partial))
            rows = list(Industry.objects.values_list("code", "name", "level"))
            known = set(IpcNode.objects.values_list("code", flat=True))
            _compiled = Compiled(
                mark,
                sets,
                Reviser(known),
                tags,
                {c: n for c, n, _ in rows},
                {c: lv for c, _, lv in rows},
                _sei_via_gbt(),
            )
        return _compiled


def _sei_via_gbt() -> dict[str, list[tuple[str, str]]]:
    """GB/T 4754 class -> SEI 2021 branches whose name heads the class's strategic category path."""
    branches = sorted(set(SeiRule.objects.values_list("sei_code", "sei_name")))
    out: dict[str, list[tuple[str, str]]] = {}
    for code, path in IndustryTag.objects.filter(tag="strategic").values_list("code", "category_path"):
        parts = [p.strip() for p in path.split(">")]
        if len(parts) < 2:
            continue
        for sei_code, name in branches:
            if SEI_FAMILY.get(sei_code[:1]) == parts[0] and parts[1].startswith(name):
                lst = out.setdefault(code, [])
                if (sei_code, name) not in lst:
                    lst.append((sei_code, name))
    return out


def compiled_rules_for(target: str) -> tuple[ConcordanceEdition, RuleSet] | None:
    return compiled().rule_sets.get(target)


@dataclass(frozen=True)
class Classification:
    ipc: list[str]  # canonical codes as given
    revised: list[RevisedCode]
    industries: list[Hit]  # GB/T 4754, best first
    industry_edition: str
    industry_derived: bool
    sei: list[Hit]
    tags: list[dict[str, object]]  # [{"tag", "name", "partial", "via"}]
    guessed_groups: dict[str, str] = field(
        default_factory=dict
    )  # subclass-only code -> main group from title


def classify_codes(
    raw_codes: list[str], text: str | None = None, *, top: int = 5, using: Compiled | None = None
) -> Classification:
    """IPC codes (any spelling; the first is the main one) -> industries, SEI categories, tags.

    Raises IpcError for a code that is not an IPC code; historic codes are revised, never rejected.
    """
    codes = [parse_ipc(c).code for c in raw_codes]
    if not codes:
        raise IpcError("ipc_empty", "IPC 分类号为空", "IPC code is empty", "")
    c = using or compiled()  # batch jobs pass one snapshot instead of checking the watermark per patent
    revised = [c.reviser(code) for code in codes]
    current = []
    guessed: dict[str, str] = {}
    for r in revised:
        cur = r.current
        if text and len(cur) == 4:
            # only a subclass (common in bulk data): take the main group whose titles match the patent title
            hit = c.group_guess(cur, text)
            if hit is not None:
                guessed[r.original] = cur = hit[0]
        current.append(cur)
    industries: list[Hit] = []
    ed_key, derived = "", False
    if "gbt4754" in c.rule_sets:
        ed, rs = c.rule_sets["gbt4754"]
        industries = rs.classify(current, text)[:top]
        ed_key, derived = ed.key, ed.kind == ConcordanceEdition.Kind.DERIVED
    sei: list[Hit] = []
    if "sei" in c.rule_sets:
        sei = c.rule_sets["sei"][1].classify(current, text)[:top]
    if not sei and industries:
        # No SEI row for these codes (the 2021 table has no H01L/H10 rows): follow the top industry's
        # strategic tag instead, at half its confidence, and say so in the source.
        top_hit = industries[0]
        sei = [
            Hit(code, name, round(top_hit.confidence * 0.5, 4), (f"via-gbt4754:{top_hit.code} (derived)",))
            for code, name in c.sei_via_gbt.get(top_hit.code, [])
        ]
    return Classification(
        codes, revised, industries, ed_key, derived, sei, tags_for(industries[:3], c), guessed
    )


def tags_for(industries: list[Hit], c: Compiled | None = None) -> list[dict[str, object]]:
    c = c or compiled()
    out: dict[str, dict[str, object]] = {}
    for hit in industries:
        for tag, name, partial in c.tags.get(hit.code, []):
            if tag not in out:
                out[tag] = {"tag": tag, "name": name, "partial": partial, "via": hit.code}
    return list(out.values())


def safe_parse(code: str) -> str | None:
    try:
        return parse_ipc(code).code
    except IpcError:
        return None
