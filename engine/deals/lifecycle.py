"""The deal lifecycle: 意向 → 谈判 → 签约 → 备案/登记 → 履行 → 完成, or 终止 from any open state."""

from __future__ import annotations

from dataclasses import dataclass

INTENT, NEGOTIATION, SIGNED, FILED, PERFORMING, COMPLETED, TERMINATED = (
    "intent",
    "negotiation",
    "signed",
    "filed",
    "performing",
    "completed",
    "terminated",
)
FINAL = frozenset({COMPLETED, TERMINATED})

# Forward moves. Filing may be skipped for kinds that have none (equity, industrialisation) — the service
# decides with `filing_required`.
FORWARD: dict[str, tuple[str, ...]] = {
    INTENT: (NEGOTIATION, SIGNED),
    NEGOTIATION: (SIGNED,),
    SIGNED: (FILED, PERFORMING),
    FILED: (PERFORMING, COMPLETED),
    PERFORMING: (COMPLETED,),
}

# Which filing a kind needs before it can leave 签约 through 备案/登记 (and, for a transfer, before completion:
# the transfer takes effect on its registration date).
FILING_FOR_KIND: dict[str, str] = {
    "transfer": "transfer_reg",
    "licence": "licence_filing",
    "open_licence": "licence_filing",
    "pledge": "pledge_reg",
}


@dataclass(frozen=True)
class TransitionCheck:
    allowed: bool
    code: str = ""
    message_zh: str = ""
    message_en: str = ""


@dataclass(frozen=True)
class DealFacts:
    kind: str
    state: str
    needs_second_approval: bool
    approved: bool
    filings: frozenset[str]


def check_transition(facts: DealFacts, target: str) -> TransitionCheck:
    """May a deal with these facts move to `target`? Pure: the service adds permission and locking."""
    if facts.state in FINAL:
        return TransitionCheck(False, "deal_final", "交易已结束，不能再变更状态", "deal is closed")
    if target == TERMINATED:
        return TransitionCheck(True)
    if target not in FORWARD.get(facts.state, ()):
        return TransitionCheck(
            False,
            "deal_transition",
            f"不能从“{facts.state}”变更为“{target}”",
            f"cannot move from {facts.state} to {target}",
        )
    if target == SIGNED and facts.needs_second_approval and not facts.approved:
        return TransitionCheck(
            False,
            "deal_needs_approval",
            "合同金额超过复核额度，须由本单位另一名管理员复核后方可签约",
            "amount above the threshold: a second approver of the institution must approve before signing",
        )
    needed = FILING_FOR_KIND.get(facts.kind)
    if target == FILED and (needed is None or needed not in facts.filings):
        return TransitionCheck(
            False, "deal_filing_missing", "请先登记备案/登记信息", "record the filing or registration first"
        )
    if target == COMPLETED and facts.kind == "transfer" and "transfer_reg" not in facts.filings:
        return TransitionCheck(
            False,
            "deal_transfer_unregistered",
            "转让自登记之日起生效，请先登记转让登记信息",
            "a transfer takes effect on registration: record the registration first",
        )
    return TransitionCheck(True)
