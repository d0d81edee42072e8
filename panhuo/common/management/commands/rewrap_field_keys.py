"""`panhuo rewrap_field_keys`: re-encrypt every encrypted field (contacts, TOTP seeds …) with the current key."""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from panhuo.common.audit import audit_record
from panhuo.common.fields import EncryptedTextField, field_cipher


def rewrap_all() -> dict[str, int]:
    """Rewrite each encrypted value under the current key id (PANHUO_FIELD_KEYS' first); returns rows per field."""
    done: dict[str, int] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, EncryptedTextField):
                continue
            label = f"{model._meta.label}.{field.name}"
            done[label] = 0
            rows = model._default_manager.exclude(**{field.name: ""}).exclude(
                **{f"{field.name}__isnull": True}
            )
            for pk, value in rows.values_list("pk", field.name).iterator(chunk_size=500):
                with transaction.atomic():
                    model._default_manager.filter(pk=pk).update(**{field.name: value})
                done[label] += 1
    audit_record(
        "system.rewrap_field_keys", detail={"key_id": field_cipher().current, "rows": sum(done.values())}
    )
    return done


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields with the current field key (after a key rotation). 轮换字段密钥。"

    def handle(self, *args: Any, **o: Any) -> None:
        self.stdout.write(json.dumps(rewrap_all(), ensure_ascii=False))
