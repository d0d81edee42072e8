"""Rights record tables: holders, the lock row, granted rights, append-only history, import conflicts.

Deals live in a higher app, so a grant names its deal by id and code (no foreign key into `deals`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panhuo.accounts.models import Organization


class RightsStatus(models.TextChoices):
    HELD = "held", "持有"
    TRANSFERRING = "transferring", "转让中"
    LAPSED = "lapsed", "已失效"


class PatentRights(models.Model):
    """One row per patent: the row every rights change locks (`select_for_update`, ordered by patent id)."""

    patent = models.OneToOneField(
        "patents.Patent", primary_key=True, on_delete=models.CASCADE, related_name="rights"
    )
    status = models.CharField(
        "权利状态", max_length=16, choices=RightsStatus.choices, default=RightsStatus.HELD
    )
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class HolderSource(models.TextChoices):
    IMPORT = "import", "批量导入"
    DEAL = "deal", "交易"
    CNIPA = "cnipa", "著录项目变更"
    BACKFILL = "backfill", "升级补录"
    INVENTORY = "inventory", "基础库"


class PatentHolder(models.Model):
    """专利权人: an organization holding the patent (alone, or a share of a co-owned one) from `since` on."""

    patent = models.ForeignKey("patents.Patent", on_delete=models.CASCADE, related_name="holders")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="held_patents", db_index=False
    )
    name = models.CharField("专利权人名称", max_length=200, blank=True)  # as the 专利权人 field names it
    share_bp = models.PositiveIntegerField("份额（万分之）", null=True, blank=True)  # None: not stated
    source = models.CharField(max_length=12, choices=HolderSource.choices, default=HolderSource.IMPORT)
    deal_id = models.BigIntegerField(null=True, blank=True)
    since = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)  # set when the holding passed to someone else
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patent", "organization"], condition=Q(active=True), name="rights_one_active_holding"
            ),
            models.CheckConstraint(
                condition=Q(share_bp__isnull=True) | Q(share_bp__gt=0, share_bp__lte=10000),
                name="rights_holder_share_range",
            ),
        ]
        indexes = [models.Index(fields=["organization", "patent"], name="rights_holder_org_patent")]


class GrantKind(models.TextChoices):
    TRANSFER = "transfer", "转让"
    EXCLUSIVE = "exclusive", "独占许可"
    SOLE = "sole", "排他许可"
    ORDINARY = "ordinary", "普通许可"
    OPEN_LICENCE = "open_licence", "开放许可声明"
    PLEDGE = "pledge", "质押"
    EQUITY = "equity", "作价入股"


EXCLUSIVE_GRANTS = (GrantKind.EXCLUSIVE, GrantKind.SOLE)


class RightsGrant(models.Model):
    """A right granted on a patent by a deal (or an open-licence declaration), live until `active` is cleared.

    The partial unique indexes are the database's own refusal of a second exclusive/sole licence or a second
    pending transfer, whatever the application checked before.
    """

    patent = models.ForeignKey("patents.Patent", on_delete=models.CASCADE, related_name="grants")
    kind = models.CharField("权利类型", max_length=16, choices=GrantKind.choices)
    grantor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    deal_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    deal_code = models.CharField(max_length=32, blank=True)
    declaration_id = models.BigIntegerField(null=True, blank=True)
    term_start = models.DateField(null=True, blank=True)
    term_end = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patent"],
                condition=Q(active=True, kind__in=["exclusive", "sole"]),
                name="rights_one_exclusive_licence",
            ),
            models.UniqueConstraint(
                fields=["patent"],
                condition=Q(active=True, kind="transfer"),
                name="rights_one_pending_transfer",
            ),
            models.UniqueConstraint(
                fields=["patent"],
                condition=Q(active=True, kind="open_licence"),
                name="rights_one_open_licence",
            ),
            models.UniqueConstraint(
                fields=["patent"], condition=Q(active=True, kind="pledge"), name="rights_one_active_pledge"
            ),
        ]


class RightsEvent(models.Model):
    """Append-only history of the rights record: what changed it (deal, import, CNIPA record), before/after."""

    patent = models.ForeignKey("patents.Patent", on_delete=models.CASCADE, related_name="rights_events")
    action = models.CharField(max_length=24)  # holder_add | grant | release | transfer | cnipa_change | …
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deal_id = models.BigIntegerField(null=True, blank=True)
    deal_code = models.CharField(max_length=32, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    ACTION_LABELS = {
        "holder_add": "登记权利人",
        "grant": "授予权利",
        "release": "权利终止",
        "transfer": "权利转移",
        "cnipa_change": "著录项目变更",
        "field_change": "著录字段变更",
    }

    @property
    def action_display(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)


class ConflictStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "已驳回"


class RightsConflict(models.Model):
    """复核清单: a co-holder's import that disagrees with the holder's stored value; the holder's admin decides."""

    patent = models.ForeignKey("patents.Patent", on_delete=models.CASCADE, related_name="rights_conflicts")
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    importer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    job_id = models.BigIntegerField(null=True, blank=True)
    field = models.CharField(max_length=32)
    stored = models.JSONField(null=True, blank=True)
    incoming = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["holder", "status"], name="rights_conflict_holder")]
