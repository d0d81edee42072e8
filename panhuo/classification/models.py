"""Reference classifications (IPC, GB/T 4754, SEI) and versioned IPC concordance editions."""

from __future__ import annotations

from django.db import models


class IpcNode(models.Model):
    """One IPC code (section .. subgroup) of one edition, with its Chinese title."""

    code = models.CharField(max_length=20, unique=True)  # canonical, e.g. "G06N3/08"
    level = models.CharField(max_length=10, db_index=True)  # section|class|subclass|main_group|subgroup
    parent = models.CharField(max_length=20, blank=True, db_index=True)
    title = models.CharField(max_length=500, blank=True)
    edition = models.CharField(max_length=10, default="2026.01")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Industry(models.Model):
    """GB/T 4754-2017 node: 门类 (level 1, letter), 大类 (2 digits), 中类 (3), 小类 (4)."""

    code = models.CharField(max_length=4, unique=True)
    level = models.PositiveSmallIntegerField(db_index=True)
    name = models.CharField(max_length=200)
    parent_code = models.CharField(max_length=4, blank=True, db_index=True)
    section = models.CharField(max_length=1, db_index=True)
    description = models.TextField(blank=True)  # official notes with ◇ 包括 / ◆ 不包括

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndustryTag(models.Model):
    """A GB/T 4754 class tagged by a derived statistical classification (SEI, 专利密集型, 数字经济, 高技术 …)."""

    code = models.CharField(max_length=4, db_index=True)
    tag = models.CharField(max_length=16, db_index=True)
    tag_name = models.CharField(max_length=40)
    partial = models.BooleanField(default=False)  # starred: only part of the class belongs
    category_path = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    products = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "tag", "category_path"], name="industry_tag_unique")
        ]


class SeiRule(models.Model):
    """战略性新兴产业分类与国际专利分类参照关系表（2021）: one rule (id) of one SEI branch (seiCode)."""

    rule_no = models.PositiveIntegerField(unique=True)
    sei_code = models.CharField(max_length=8, db_index=True)  # "1.2"
    sei_name = models.CharField(max_length=100)
    keywords = models.TextField(blank=True)


class NaceCode(models.Model):
    code = models.CharField(max_length=8, unique=True)  # "A", "01", "01.1", "01.11"
    section = models.CharField(max_length=1)
    name_en = models.CharField(max_length=300)


class IpcNaceShare(models.Model):
    """Fraunhofer ISI (2019): P(NACE division | IPC class)."""

    ipc_class = models.CharField(max_length=3, db_index=True)
    nace2 = models.CharField(max_length=2)
    share = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ipc_class", "nace2"], name="ipc_nace_unique")]


class ConcordanceEdition(models.Model):
    """A versioned IPC -> industry table. The active edition of a target scheme is the one used to classify."""

    class Target(models.TextChoices):
        GBT4754 = "gbt4754", "国民经济行业分类"
        SEI = "sei", "战略性新兴产业"

    class Kind(models.TextChoices):
        OFFICIAL = "official", "官方"
        DERIVED = "derived", "推导（非官方）"

    key = models.CharField(max_length=40, unique=True)  # "sei-2021", "derived-gbt4754", "upload-…"
    name = models.CharField(max_length=200)
    target = models.CharField(max_length=8, choices=Target.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    source = models.CharField(max_length=300, blank=True)
    # exact: a code pattern without * matches that code only (SEI 2021). Otherwise a main group covers
    # its subgroups and a subclass its groups.
    exact_codes = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    rule_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key


class ConcordanceRule(models.Model):
    """One row: IPC pattern (+ exclusions, keyword conditions) -> industry code, many-to-many."""

    edition = models.ForeignKey(ConcordanceEdition, on_delete=models.CASCADE, related_name="rules")
    row_no = models.PositiveIntegerField()
    pattern = models.CharField(max_length=40)  # "B60K6*", "G06F16/00", "H01L31*"
    exclusions = models.JSONField(default=list, blank=True)  # ["H01L31/08*"]
    include_keywords = models.JSONField(default=list, blank=True)
    exclude_keywords = models.JSONField(default=list, blank=True)
    target_code = models.CharField(max_length=16, db_index=True)
    target_name = models.CharField(max_length=200, blank=True)
    confidence = models.FloatField(default=1.0)
    sources = models.CharField(max_length=200, blank=True)  # derived rows: "sei+nace+text"

    class Meta:
        indexes = [models.Index(fields=["edition", "pattern"])]


class NodeCount(models.Model):
    """How many patents / enterprises sit under a scheme node (refreshed by the higher apps' jobs)."""

    scheme = models.CharField(max_length=8)  # ipc | gbt4754 | sei
    code = models.CharField(max_length=20)
    patents = models.PositiveIntegerField(default=0)
    enterprises = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="node_count_unique")]


class ClassificationRun(models.Model):
    """A finished per-patent classification pass (written by panhuo.patents.industries, read to self-heal)."""

    watermark = models.CharField(max_length=300)
    full = models.BooleanField(default=False)
    patents = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(auto_now_add=True)
