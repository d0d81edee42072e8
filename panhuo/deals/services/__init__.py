"""Writes on deals: lifecycle, approval, filings, payments, open licences, income rules."""

from panhuo.deals.services.deals import (
    deal_advance,
    deal_approve,
    deal_create,
    deal_terminate,
    filing_record,
    instalment_add,
    inventors_set,
    party_organization,
    pledge_consent_record,
)
from panhuo.deals.services.income import income_rule_set, payment_record
from panhuo.deals.services.open_licence import (
    open_licence_accept,
    open_licence_declare,
    open_licence_withdraw,
)

__all__ = [
    "deal_advance",
    "deal_approve",
    "deal_create",
    "deal_terminate",
    "filing_record",
    "income_rule_set",
    "instalment_add",
    "inventors_set",
    "open_licence_accept",
    "open_licence_declare",
    "open_licence_withdraw",
    "party_organization",
    "payment_record",
    "pledge_consent_record",
]
