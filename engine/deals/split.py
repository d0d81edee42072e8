"""Exact splitting of an integer amount by weights (largest-remainder / Hamilton method)."""

from __future__ import annotations

from collections.abc import Sequence


def split_fen(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` fen in proportion to non-negative integer `weights`; the parts always sum to `amount`.

    Each part is floor(amount * w / W); the fen left over go one each to the largest remainders, ties to the
    earlier weight, so the result is deterministic.
    """
    if amount < 0:
        raise ValueError("amount must be non-negative")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    total = sum(weights)
    if total == 0:
        raise ValueError("weights must not all be zero")
    parts = []
    remainders = []
    for index, weight in enumerate(weights):
        quotient, remainder = divmod(amount * weight, total)
        parts.append(quotient)
        remainders.append((-remainder, index))
    left = amount - sum(parts)
    for _, index in sorted(remainders)[:left]:
        parts[index] += 1
    return parts
