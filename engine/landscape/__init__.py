"""专利导航 (patent landscape) computations: holder names, concentration, growth, teams, clusters, term labels.

Pure Python + numpy. Inputs are `LandscapeRow`s (one per patent in a scope); outputs are plain dicts / frozen
dataclasses of exact counts, so every number on the page and in the report can be traced to patents.
"""

from engine.landscape.analysis import UNKNOWN_YEAR, LandscapeRow, analyse, facet_ids
from engine.landscape.clusters import ClusterResult, cluster_vectors, describe_clusters, term_vectors
from engine.landscape.holders import HolderType, holder_type, normalise_holder
from engine.landscape.metrics import Concentration, concentration, growth_series

__all__ = [
    "UNKNOWN_YEAR",
    "ClusterResult",
    "Concentration",
    "HolderType",
    "LandscapeRow",
    "analyse",
    "cluster_vectors",
    "concentration",
    "describe_clusters",
    "facet_ids",
    "growth_series",
    "holder_type",
    "normalise_holder",
    "term_vectors",
]
