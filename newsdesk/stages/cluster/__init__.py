"""Stage ``cluster``: articles about one event, from any outlet, become a story; stories of one
long-running matter are linked into threads.

``features`` (what an article is compared by), ``terms`` (its TF-IDF vectors, online document
frequencies), ``scoring`` (the join score and threshold), ``clusterer`` (the online clusterer),
``linkage`` (average link over a batch), ``index`` (the clusterer's state for a store),
``languages`` (language groups), ``records`` (raw records to items; ``cluster -``), ``threads``
(thread evidence), ``stage`` (the pipeline stage), ``tables``.
"""

from newsdesk.stages.cluster.clusterer import Clusterer, Item
from newsdesk.stages.cluster.records import cluster_records
from newsdesk.stages.cluster.stage import Cluster

__all__ = ["Cluster", "Clusterer", "Item", "cluster_records"]
