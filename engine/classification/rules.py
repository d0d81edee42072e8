"""Concordance rules: IPC patterns (with `*`, exclusions, keyword conditions) -> industry codes, compiled.

Pattern semantics (documented in docs/classification.md):
- `B60K6*` : main group B60K6/00 and all its subgroups; `H01L31/08*`: subgroups of H01L31 whose digits start
  with "08" (H01L31/08, /0805 …); `H01L*`, `H01*`, `H*`: everything under that subclass / class / section.
- No `*`: in an *exact* edition (the SEI 2021 table) the code itself only; otherwise a main group (`G06F16/00`
  or `G06F16`) also covers its subgroups and a subclass covers its groups (trailing-subgroup semantics).
- exclusions "(不含 H01L31/08*)" use the same syntax and remove codes from the rule.
- include keywords: the rule applies only when the title/abstract contains one (when no text is given the hit
  is kept as a hint at half confidence); exclude keywords: the rule never applies when the text contains one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from engine.classification.ipc import IpcError, parse_ipc

_GROUP_PAT = re.compile(r"^([A-H]\d{2}[A-Z])0*(\d{1,4})(?:/(\d{0,6}))?$")
_WIDE_PAT = re.compile(r"^[A-H](\d{2}([A-Z])?)?$")
_EXCL = re.compile(r"[（(]\s*不含\s*([^()（）]*)[)）]")


@dataclass(frozen=True)
class IpcPattern:
    raw: str
    kind: str  # "wide" (section/class/subclass prefix) | "group" | "subgroup"
    prefix: str  # wide: "H01L"; group/subgroup: "H01L31" (subclass + group number)
    sub: str = ""  # subgroup digits: a prefix when wildcard, else the canonical subgroup ("08", "10")
    wildcard: bool = False

    def matches(self, code: str, exact_codes: bool = False) -> bool:
        """Does the canonical IPC code `code` fall under this pattern?"""
        if self.kind == "wide":
            if exact_codes and not self.wildcard:
                return code == self.prefix
            return code.startswith(self.prefix) and (
                len(code) == len(self.prefix) or len(self.prefix) < 4 or not code[len(self.prefix)].isalpha()
            )
        head, _, sub = code.partition("/")
        if head != self.prefix or not sub:
            return False
        if self.kind == "group":
            return self.wildcard or not exact_codes or sub == "00"
        if self.wildcard:
            return sub.startswith(self.sub)
        return sub == self.sub


def parse_pattern(raw: str) -> IpcPattern:
    """Parse one IPC pattern; raises IpcError (with Chinese and English text) when it is not one."""
    text = unicodedata.normalize("NFKC", raw or "").strip().upper().replace(" ", "")
    wildcard = text.endswith(("*", "%"))
    body = text.rstrip("*%")
    if not body:
        raise IpcError("ipc_pattern", f"IPC 模式为空：{raw}", f"empty IPC pattern: {raw}", raw)
    if _WIDE_PAT.match(body):
        return IpcPattern(raw, "wide", body, wildcard=wildcard)
    m = _GROUP_PAT.match(body)
    if not m or int(m.group(2)) == 0:
        raise IpcError("ipc_pattern", f"IPC 模式格式不正确：{raw}", f"malformed IPC pattern: {raw}", raw)
    prefix = f"{m.group(1)}{int(m.group(2))}"
    sub = m.group(3)
    if sub is None or (sub.strip("0") == "" and (wildcard or sub != "")):
        return IpcPattern(raw, "group", prefix, wildcard=wildcard)
    if wildcard:
        return IpcPattern(raw, "subgroup", prefix, sub=sub, wildcard=True)
    canonical = parse_ipc(f"{prefix}/{sub}").code
    return IpcPattern(raw, "subgroup", prefix, sub=canonical.partition("/")[2])


def split_patterns(cell: str) -> tuple[list[str], list[str]]:
    """An official IPC cell "H01L31*(不含H01L31/08*)、H02S*" -> (patterns, exclusions)."""
    text = unicodedata.normalize("NFKC", cell or "")
    exclusions: list[str] = []
    for m in _EXCL.finditer(text):
        exclusions += [p for p in re.split(r"[、,;；\s]+", m.group(1)) if p]
    text = _EXCL.sub(" ", text)
    patterns = [p for p in re.split(r"[、,;；|\s]+", text) if p]
    return patterns, exclusions


def split_keywords(cell: str) -> list[str]:
    text = unicodedata.normalize("NFKC", cell or "").strip().rstrip("等").strip()
    return [k.strip().lower() for k in re.split(r"[、,;；|/\s]+", text) if k.strip()]


@dataclass(frozen=True)
class Rule:
    pattern: IpcPattern
    target_code: str
    target_name: str = ""
    exclusions: tuple[IpcPattern, ...] = ()
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    confidence: float = 1.0
    row_no: int = 0
    sources: str = ""

    def applies_to_code(self, code: str, exact_codes: bool) -> bool:
        if not self.pattern.matches(code, exact_codes):
            return False
        return not any(x.matches(code, False) for x in self.exclusions)

    def keyword_factor(self, text: str | None) -> float:
        """1.0 applies, 0.0 does not; 0.5 when keywords are required but no text was given."""
        if text is None:
            return 0.5 if self.include_keywords else 1.0
        if any(k in text for k in self.exclude_keywords):
            return 0.0
        if self.include_keywords and not any(k in text for k in self.include_keywords):
            return 0.0
        return 1.0


@dataclass(frozen=True)
class Hit:
    code: str  # industry / SEI code
    name: str
    confidence: float
    sources: tuple[str, ...]  # e.g. ("sei-2021 row 123 G06N3/08",)


@dataclass
class RuleSet:
    """An edition's rules with a compiled index: exact codes, whole groups, subgroup prefixes, wide prefixes."""

    edition: str
    rules: list[Rule]
    exact_codes: bool = False
    by_code: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_group: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_group_prefix: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    by_wide: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_subclass_vote: dict[str, Counter[int]] = field(default_factory=dict)
    _cache: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        votes: dict[str, Counter[int]] = defaultdict(Counter)
        for i, rule in enumerate(self.rules):
            p = rule.pattern
            if p.kind == "wide":
                if self.exact_codes and not p.wildcard:
                    self.by_code[p.prefix].append(i)
                else:
                    self.by_wide[p.prefix].append(i)
            elif p.kind == "group":
                if self.exact_codes and not p.wildcard:
                    self.by_code[f"{p.prefix}/00"].append(i)
                else:
                    self.by_group[p.prefix].append(i)
            elif p.wildcard:
                self.by_group_prefix[p.prefix].append((p.sub, i))
            else:
                self.by_code[f"{p.prefix}/{p.sub}"].append(i)
            if len(p.prefix) >= 4:
                votes[p.prefix[:4]][i] += 1
        self.by_subclass_vote = dict(votes)

    def candidates(self, code: str) -> tuple[int, ...]:
        """Rule indexes whose IPC side (pattern minus exclusions) covers the canonical code; memoised."""
        hit = self._cache.get(code)
        if hit is not None:
            return hit
        found: list[int] = list(self.by_code.get(code, ()))
        head, _, sub = code.partition("/")
        if sub:
            found += self.by_group.get(head, ())
            found += [i for p, i in self.by_group_prefix.get(head, ()) if sub.startswith(p)]
        for n in (1, 3, 4):
            if len(code) >= n:
                found += self.by_wide.get(code[:n], ())
        rules = self.rules
        result = tuple(
            sorted({i for i in found if not any(x.matches(code, False) for x in rules[i].exclusions)})
        )
        self._cache[code] = result
        return result

    def naive_candidates(self, code: str) -> tuple[int, ...]:
        """The same answer by scanning every rule (the benchmark's baseline and the tests' oracle)."""
        return tuple(i for i, r in enumerate(self.rules) if r.applies_to_code(code, self.exact_codes))

    def classify(
        self,
        codes: Sequence[str],
        text: str | None = None,
        *,
        broaden: bool = True,
        naive: bool = False,
    ) -> list[Hit]:
        """Industries for a patent's canonical IPC codes (main first), best first.

        The main code weighs 1.0, the others 0.7; evidence for one industry combines as noisy-or.
        With `broaden`, a code no rule covers falls back to its main group (x0.8), then to the majority
        industry of the rules in its subclass (x0.5 x share).
        """
        low = unicodedata.normalize("NFKC", text).lower() if text is not None else None
        scores: dict[str, float] = {}
        names: dict[str, str] = {}
        sources: dict[str, list[str]] = defaultdict(list)
        lookup = self.naive_candidates if naive else self.candidates
        for pos, code in enumerate(codes):
            weight = 1.0 if pos == 0 else 0.7
            idx = lookup(code)
            via = code
            if not idx and broaden:
                head, _, sub = code.partition("/")
                if sub and sub != "00":
                    idx = lookup(f"{head}/00")
                    weight *= 0.8
                    via = f"{head}/00"
                if not idx:
                    self._vote(code[:4], weight, scores, names, sources)
                    continue
            for i in idx:
                rule = self.rules[i]
                conf = weight * rule.confidence * rule.keyword_factor(low)
                if conf <= 0:
                    continue
                prev = scores.get(rule.target_code, 0.0)
                scores[rule.target_code] = 1 - (1 - prev) * (1 - conf)
                names[rule.target_code] = rule.target_name
                if len(sources[rule.target_code]) < 3:
                    sources[rule.target_code].append(
                        f"{self.edition}#{rule.row_no} {rule.pattern.raw}<-{via}"
                    )
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Hit(c, names[c], round(s, 4), tuple(sources[c])) for c, s in ranked]

    def _vote(
        self,
        subclass: str,
        weight: float,
        scores: dict[str, float],
        names: dict[str, str],
        sources: dict[str, list[str]],
    ) -> None:
        votes = self.by_subclass_vote.get(subclass)
        if not votes:
            return
        per_target: Counter[str] = Counter()
        for i, n in votes.items():
            per_target[self.rules[i].target_code] += n
        total = sum(per_target.values())
        target, n = max(per_target.items(), key=lambda kv: (kv[1], kv[0]))
        conf = weight * 0.5 * n / total
        prev = scores.get(target, 0.0)
        scores[target] = 1 - (1 - prev) * (1 - conf)
        names[target] = next(self.rules[i].target_name for i in votes if self.rules[i].target_code == target)
        sources[target].append(f"{self.edition} subclass {subclass} majority {n}/{total}")


def compile_rules(
    edition: str, rows: Iterable[tuple[str, str, str]], *, exact_codes: bool = False
) -> RuleSet:
    """Convenience: (pattern, target_code, target_name) triples -> RuleSet (tests, benchmarks)."""
    rules = [Rule(parse_pattern(p), code, name, row_no=n) for n, (p, code, name) in enumerate(rows, start=1)]
    return RuleSet(edition, rules, exact_codes=exact_codes)
