"""Explainable, cohort-normalised patent value scoring on the GB/T 42748-2023 structure (Django-free)."""

from engine.scoring.indicators import DIMENSIONS, ENGINE_VERSION, INDICATORS, Indicator, indicator_index
from engine.scoring.model import (
    IndicatorContribution,
    RawIndicators,
    ScoreArrays,
    ValueScore,
    explain,
    normalise,
    score_arrays,
    weight_vector,
)

__all__ = [
    "DIMENSIONS",
    "ENGINE_VERSION",
    "INDICATORS",
    "Indicator",
    "IndicatorContribution",
    "RawIndicators",
    "ScoreArrays",
    "ValueScore",
    "explain",
    "indicator_index",
    "normalise",
    "score_arrays",
    "weight_vector",
]
