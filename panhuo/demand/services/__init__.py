"""Demand writes. Every service owns its transaction and records an audit event."""

from panhuo.demand.services.engagement import (
    cooperation_request_close,
    cooperation_request_create,
    cooperation_request_reply,
    favourite_toggle,
    subscription_create,
    subscription_delete,
    subscription_similar_to_patent,
)
from panhuo.demand.services.needs import (
    need_answer,
    need_check,
    need_close,
    need_create,
    need_publish,
    need_update,
)
from panhuo.demand.services.profiles import enterprise_profile_save, enterprise_upsert

__all__ = [
    "cooperation_request_close",
    "cooperation_request_create",
    "cooperation_request_reply",
    "enterprise_profile_save",
    "enterprise_upsert",
    "favourite_toggle",
    "need_answer",
    "need_check",
    "need_close",
    "need_create",
    "need_publish",
    "need_update",
    "subscription_create",
    "subscription_delete",
    "subscription_similar_to_patent",
]
