"""Model fields: personal data encrypted at rest with the configured FieldCipher."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

from panhuo.common.crypto import Sm4GcmCipher, load_or_create_key_file, parse_keys


@lru_cache(maxsize=1)
def field_cipher() -> Sm4GcmCipher:
    spec = settings.PANHUO_FIELD_KEYS or load_or_create_key_file(Path(settings.PANHUO_FIELD_KEY_FILE))
    keys = parse_keys(spec)
    current = spec.split(",")[0].split(":")[0].strip()
    return Sm4GcmCipher(keys, current)


class EncryptedTextField(models.TextField):
    """Stores "kid$ciphertext"; Python code only ever sees the plaintext."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return field_cipher().decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return field_cipher().encrypt(str(value))
