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
from typing import NamedTuple

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


class Hit(NamedTuple):
    """An industry for a patent (a NamedTuple: built millions of times in the hot path)."""

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
    _profiles: dict[tuple[str, bool], _Profile] = field(default_factory=dict)
    _votes: dict[str, tuple[tuple[str, float, str, str], ...]] = field(default_factory=dict)
    _duplicate: set[int] = field(default_factory=set)
    _covered: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        votes: dict[str, Counter[int]] = defaultdict(Counter)
        # Official tables repeat rows (same pattern, same industry): index one of each, keep the best confidence.
        first: dict[tuple[object, ...], int] = {}
        self._duplicate = set()
        for i, rule in enumerate(self.rules):
            sig = (rule.pattern.kind, rule.pattern.prefix, rule.pattern.sub, rule.pattern.wildcard,
                   rule.target_code, rule.exclusions, rule.include_keywords, rule.exclude_keywords)  # fmt: skip
            j = first.get(sig)
            if j is not None and self.rules[j].confidence >= rule.confidence:
                self._duplicate.add(i)
                continue
            if j is not None:
                self._duplicate.add(j)
            first[sig] = i
        for i, rule in enumerate(self.rules):
            if i in self._duplicate:
                continue
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
        if found:
            self._covered.add(code)
        result = tuple(
            sorted(
                {
                    i
                    for i in found
                    if not rules[i].exclusions or not any(x.matches(code) for x in rules[i].exclusions)
                }
            )
        )
        self._cache[code] = result
        return result

    def _is_covered(self, code: str, naive: bool) -> bool:
        """A pattern covers the code but an exclusion removed it: never broaden such a code."""
        if naive:
            return any(
                r.pattern.matches(code, self.exact_codes)
                for i, r in enumerate(self.rules)
                if i not in self._duplicate
            )
        self.candidates(code)
        return code in self._covered

    def naive_candidates(self, code: str) -> tuple[int, ...]:
        """The same answer by scanning every rule (the benchmark's baseline and the tests' oracle)."""
        return tuple(
            i
            for i, r in enumerate(self.rules)
            if i not in self._duplicate and r.applies_to_code(code, self.exact_codes)
        )

    def profile(self, code: str, *, broaden: bool = True, naive: bool = False) -> _Profile:
        """What one canonical code contributes, independent of text: memoised (the hot path is a dict get)."""
        if not naive:
            cached = self._profiles.get((code, broaden))
            if cached is not None:
                return cached
        lookup = self.naive_candidates if naive else self.candidates
        idx = lookup(code)
        factor, via = 1.0, code
        if not idx and broaden and not self._is_covered(code, naive):
            head, _, sub = code.partition("/")
            if sub and sub != "00":
                idx = lookup(f"{head}/00")
                factor, via = 0.8, f"{head}/00"
        fixed: dict[str, tuple[float, str, str]] = {}
        keyword_rules: list[int] = []
        for i in idx:
            rule = self.rules[i]
            if rule.include_keywords or rule.exclude_keywords:
                keyword_rules.append(i)
                continue
            conf = factor * rule.confidence
            if conf > fixed.get(rule.target_code, (0.0, "", ""))[0]:
                src = f"{self.edition}#{rule.row_no} {rule.pattern.raw}<-{via}"
                fixed[rule.target_code] = (conf, rule.target_name, src)
        if not idx and broaden and not self._is_covered(code, naive):
            for target, conf, name, src in self._subclass_vote(code[:4]):
                fixed[target] = (conf, name, src)
        result = _Profile(
            tuple((t, c, n, src) for t, (c, n, src) in fixed.items()), tuple(keyword_rules), factor, via
        )
        if not naive:
            self._profiles[(code, broaden)] = result
        return result

    def classify(
        self,
        codes: Sequence[str],
        text: str | None = None,
        *,
        broaden: bool = True,
        naive: bool = False,
    ) -> list[Hit]:
        """Industries for a patent's canonical IPC codes (main first), best first.

        Per code, an industry takes its best rule's confidence; the main code weighs 1.0, the others 0.7, and
        the codes combine as noisy-or. With `broaden`, a code no rule covers falls back to its main group
        (x0.8), then to the majority industry of the rules in its subclass (x0.5 x share).
        """
        low = unicodedata.normalize("NFKC", text).lower() if text is not None else None
        profiles = self._profiles
        scores: dict[str, float] = {}
        info: dict[str, tuple[str, list[str]]] = {}
        for pos, code in enumerate(codes):
            prof = None if naive else profiles.get((code, broaden))
            if prof is None:
                prof = self.profile(code, broaden=broaden, naive=naive)
            items = prof.fixed if not prof.keyword_rules else self._with_keywords(prof, low)
            weight = 1.0 if pos == 0 else 0.7
            for target, conf, name, src in items:
                c = weight * conf
                prev = scores.get(target)
                if prev is None:
                    if c > 0:
                        scores[target] = c
                        info[target] = (name, [src])
                    continue
                scores[target] = 1 - (1 - prev) * (1 - c)
                srcs = info[target][1]
                if len(srcs) < 3:
                    srcs.append(src)
        if len(scores) == 1:
            ((t, sc),) = scores.items()
            return [Hit(t, info[t][0], round(sc, 4), tuple(info[t][1]))]
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Hit(t, info[t][0], round(sc, 4), tuple(info[t][1])) for t, sc in ranked]

    def _with_keywords(self, prof: _Profile, low: str | None) -> list[tuple[str, float, str, str]]:
        best: dict[str, tuple[float, str, str]] = {t: (c, n, s) for t, c, n, s in prof.fixed}
        for i in prof.keyword_rules:
            rule = self.rules[i]
            conf = prof.factor * rule.confidence * rule.keyword_factor(low)
            if conf > best.get(rule.target_code, (0.0, "", ""))[0]:
                src = f"{self.edition}#{rule.row_no} {rule.pattern.raw}<-{prof.via}"
                best[rule.target_code] = (conf, rule.target_name, src)
        return [(t, c, n, s) for t, (c, n, s) in best.items()]

    def _subclass_vote(self, subclass: str) -> tuple[tuple[str, float, str, str], ...]:
        """The subclass's most supported industries (rule confidence summed), the best at 0.5, at most 3."""
        cached = self._votes.get(subclass)
        if cached is not None:
            return cached
        votes = self.by_subclass_vote.get(subclass)
        result: tuple[tuple[str, float, str, str], ...] = ()
        if votes:
            weight: dict[str, float] = {}
            names: dict[str, str] = {}
            for i, n in votes.items():
                rule = self.rules[i]
                weight[rule.target_code] = weight.get(rule.target_code, 0.0) + n * rule.confidence
                names.setdefault(rule.target_code, rule.target_name)
            total = sum(weight.values())
            ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
            top = ranked[0][1] or 1.0
            result = tuple(
                (
                    t,
                    round(0.5 * w / top, 4),
                    names[t],
                    f"{self.edition} subclass {subclass} vote {w / total:.0%}",
                )
                for t, w in ranked
                if w > 0
            )
        self._votes[subclass] = result
        return result


@dataclass(frozen=True)
class _Profile:
    fixed: tuple[tuple[str, float, str, str], ...]  # (target, confidence, name, source) of keyword-free rules
    keyword_rules: tuple[int, ...]
    factor: float
    via: str


def compile_rules(
    edition: str, rows: Iterable[tuple[str, str, str]], *, exact_codes: bool = False
) -> RuleSet:
    """Convenience: (pattern, target_code, target_name) triples -> RuleSet (tests, benchmarks)."""
    rules = [Rule(parse_pattern(p), code, name, row_no=n) for n, (p, code, name) in enumerate(rows, start=1)]
    return RuleSet(edition, rules, exact_codes=exact_codes)
