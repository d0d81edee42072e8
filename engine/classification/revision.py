"""Historic IPC codes (absent from the current edition) -> a current code that keeps them classifiable.

IPC 2023-2026 moved H01L (semiconductor devices) into the new class H10. The table below is hand-built from the
WIPO revision notes at main-group level (documented in docs/classification.md); it maps to the new *subclass*,
because the group numbers were renumbered and no group-level concordance ships with the project.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass

# old subclass + main group number -> current subclass
REVISION_TABLE: dict[str, str] = {
    "H01L21": "H10P",  # processes and apparatus for manufacturing devices
    "H01L22": "H10P",  # testing during manufacture
    "H01L23": "H10W",  # details: packaging, interconnects
    "H01L24": "H10W",  # connectors
    "H01L25": "H10W",  # assemblies of devices
    "H01L27": "H10D",  # integrated devices (memory parts went to H10B)
    "H01L28": "H10D",  # passive components in integrated circuits
    "H01L29": "H10D",  # semiconductor devices (transistors, diodes)
    "H01L31": "H10F",  # radiation-sensitive devices, solar cells
    "H01L33": "H10H",  # light-emitting diodes
    "H01L35": "H10N",  # thermoelectric devices
    "H01L37": "H10N",  # thermomagnetic devices
    "H01L39": "H10N",  # superconducting devices
    "H01L41": "H10N",  # piezoelectric devices
    "H01L43": "H10N",  # galvanomagnetic devices
    "H01L45": "H10B",  # solid-state memory without barrier (phase-change, resistive)
    "H01L47": "H10N",  # bulk negative resistance devices
    "H01L49": "H10N",  # other solid-state devices
    "H01L51": "H10K",  # organic devices (OLED, organic solar cells)
}
REVISION_SUBCLASS_DEFAULT: dict[str, str] = {"H01L": "H10D"}


@dataclass(frozen=True)
class RevisedCode:
    original: str  # canonical code as given
    current: str  # the code to classify with
    historic: bool  # absent from the current edition
    via: str  # "current" | "revision-table" | "main-group" | "subclass" | "unknown"


def revise(code: str, known: Container[str]) -> RevisedCode:
    """Map a canonical code to one in `known` (the current edition's codes); never rejects a code."""
    if code in known:
        return RevisedCode(code, code, False, "current")
    head = code.partition("/")[0]
    if head in REVISION_TABLE:
        return RevisedCode(code, REVISION_TABLE[head], True, "revision-table")
    main = f"{head}/00"
    if "/" in code and main in known:
        return RevisedCode(code, main, True, "main-group")
    if code[:4] in REVISION_SUBCLASS_DEFAULT:
        return RevisedCode(code, REVISION_SUBCLASS_DEFAULT[code[:4]], True, "revision-table")
    if code[:4] in known:
        return RevisedCode(code, code[:4], True, "subclass")
    return RevisedCode(code, code, True, "unknown")


class Reviser:
    """`revise` against one edition's codes, memoised (patents repeat codes)."""

    def __init__(self, known: Container[str]) -> None:
        self.known = known
        self._memo: dict[str, RevisedCode] = {}

    def __call__(self, code: str) -> RevisedCode:
        hit = self._memo.get(code)
        if hit is None:
            hit = self._memo[code] = revise(code, self.known)
        return hit
