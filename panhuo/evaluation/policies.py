"""The platform's default evaluation rows and the policy lookup: one home for both.

`defaults_ensure()` runs after `migrate` (and after the test runner's flush), so pages and selectors only read
them; `scores_recompute` calls it too, as a write job that may run on a database restored without them.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from engine.scoring import ENGINE_VERSION
from engine.scoring.flags import DEFAULT_TIER_RULES
from engine.scoring.indicators import DEFAULT_WEIGHTS
from panhuo.evaluation.models import EvaluationPolicy, Scenario, TierRule, WeightSet


def defaults_ensure() -> None:
    """Platform default weight sets (v1 per scenario), tier rules and policy; idempotent."""
    with transaction.atomic():
        for scenario in Scenario.values:
            if not WeightSet.objects.filter(organization__isnull=True, scenario=scenario).exists():
                # Seed rows from code (like Django's own permissions after migrate): not an audited action; every
                # change a person makes to weights or tiers is (weightset_create, tier_rules_set).
                WeightSet.objects.create(
                    organization=None,
                    scenario=scenario,
                    version=1,
                    weights=DEFAULT_WEIGHTS[scenario],
                    engine_version=ENGINE_VERSION,
                    note="平台默认权重 default weights",
                )
        if not TierRule.objects.filter(organization__isnull=True).exists():
            for priority, rule in enumerate(DEFAULT_TIER_RULES, start=1):
                TierRule.objects.create(
                    organization=None,
                    priority=priority * 10,
                    tier=rule.tier,
                    min_score=rule.min_score,
                    max_score=rule.max_score,
                    require_high_value_or_positive=rule.require_high_value_or_positive,
                    min_demand=rule.min_demand,
                    fee_due_within_days=rule.fee_due_within_days,
                    reason_zh=rule.reason_zh,
                )
        if not EvaluationPolicy.objects.filter(organization__isnull=True).exists():
            EvaluationPolicy.objects.create(organization=None)


def policy_for(organization_id: int | None) -> EvaluationPolicy:
    """The organization's policy, else the platform default, else built-in defaults (unsaved)."""
    if organization_id is not None:
        own = EvaluationPolicy.objects.filter(organization_id=organization_id).first()
        if own is not None:
            return own
    return EvaluationPolicy.objects.filter(organization__isnull=True).first() or EvaluationPolicy()


def defaults_after_migrate(*, using: str = DEFAULT_DB_ALIAS, **_: Any) -> None:
    """post_migrate receiver: create the defaults once the evaluation tables exist (not after `migrate … zero`)."""
    if using != DEFAULT_DB_ALIAS:
        return
    tables = set(connections[using].introspection.table_names())
    if {WeightSet._meta.db_table, TierRule._meta.db_table, EvaluationPolicy._meta.db_table} <= tables:
        defaults_ensure()
