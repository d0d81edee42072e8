"""Demo step 1: the real reference data (IPC 2026.01, GB/T 4754-2017, SEI 2021, NACE) and the derived mapping."""

from __future__ import annotations

from typing import Any

from panhuo.classification.loaders import load_reference
from panhuo.classification.services import derived_mapping_load


def load(out: Any) -> None:
    done = load_reference(out=out)
    edition = derived_mapping_load()
    out.write(
        f"  classification reference {done}; derived mapping {edition.rule_count if edition else 0} rules"
    )
