"""System checks for production settings (AC-3, AUTH-2, DC-2): `panhuo check --deploy` fails on them."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

ALLOWED_HASHERS = {
    "panhuo.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
}


@register(Tags.security, deploy=True)
def production_checks(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if settings.PASSWORD_HASHERS[0] not in ALLOWED_HASHERS:
        errors.append(Error("PASSWORD_HASHERS[0] is not an approved hasher", id="panhuo.E001"))
    elif settings.PASSWORD_HASHERS[0] == "panhuo.accounts.hashers.Argon2idPasswordHasher":
        from panhuo.accounts.hashers import Argon2idPasswordHasher

        h = Argon2idPasswordHasher()
        if h.memory_cost < 19456 or h.time_cost < 2 or h.parallelism < 1:
            errors.append(Error("Argon2id below the OWASP minimum (m=19456 KiB, t=2, p=1)", id="panhuo.E001"))
    if "sm3" not in hashlib.algorithms_available:
        errors.append(Error("OpenSSL lacks SM3 (国密 digests unavailable)", id="panhuo.E002"))
    if settings.ENV == "prod":
        from django.db import DatabaseError

        from panhuo.accounts.models import User

        try:
            if User.objects.filter(is_superuser=True, is_active=True).exists():
                errors.append(
                    Error(
                        "an active superuser exists; production uses the three separated admins",
                        id="panhuo.E003",
                    )
                )
        except DatabaseError:
            pass  # database not migrated yet: nothing to check
        if not settings.PANHUO_FIELD_KEYS:
            errors.append(
                Error(
                    "PANHUO_FIELD_KEYS must come from the environment / a key service in production",
                    id="panhuo.E004",
                )
            )
        if not settings.PANHUO_AUDIT_HMAC_KEY:
            errors.append(Error("PANHUO_AUDIT_HMAC_KEY must be set in production", id="panhuo.E005"))
    return errors
