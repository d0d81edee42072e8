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
        errors += unsafe_production_settings()
    return errors


ADMIN_ROLES = ("system_admin", "security_admin", "audit_admin")
MAX_IDLE_SECONDS = 30 * 60
MAX_LOCKOUT_FAILURES = 10
TLS_SSLMODES = {"require", "verify-ca", "verify-full"}


def unsafe_production_settings() -> list[Error]:
    """One error for each setting docs/settings.md lists as unsafe in production (panhuo.E010-E017)."""
    errors: list[Error] = []
    if settings.DEBUG:
        errors.append(
            Error("DEBUG is on (PANHUO_DEBUG): tracebacks and URL lists reach users", id="panhuo.E010")
        )
    if settings.SESSION_COOKIE_AGE > MAX_IDLE_SECONDS:
        errors.append(
            Error(
                f"idle timeout {settings.SESSION_COOKIE_AGE} s exceeds {MAX_IDLE_SECONDS} s "
                "(PANHUO_SESSION_IDLE_SECONDS)",
                id="panhuo.E011",
            )
        )
    failures = getattr(settings, "AXES_FAILURE_LIMIT", 0)
    if not getattr(settings, "AXES_ENABLED", True) or not 0 < failures <= MAX_LOCKOUT_FAILURES:
        errors.append(
            Error(
                f"account lockout is off or too lax ({failures} failures; at most {MAX_LOCKOUT_FAILURES}) "
                "(PANHUO_LOCKOUT_FAILURES)",
                id="panhuo.E012",
            )
        )
    if not getattr(settings, "PANHUO_RATE_LIMITS_ENABLED", True):
        errors.append(Error("rate limits are off (PANHUO_RATE_LIMITS)", id="panhuo.E013"))
    missing = [r for r in ADMIN_ROLES if r not in settings.PANHUO_OTP_ROLES]
    if missing:
        errors.append(
            Error(
                f"PANHUO_OTP_ROLES lacks {', '.join(missing)}: admins sign in without TOTP", id="panhuo.E014"
            )
        )
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        sslmode = (db.get("OPTIONS") or {}).get("sslmode", "")
        if sslmode not in TLS_SSLMODES:
            errors.append(
                Error(
                    f"the database connection is not TLS-protected (sslmode={sslmode or 'unset'}; PANHUO_DB_SSLMODE)",
                    id="panhuo.E015",
                )
            )
    if getattr(settings, "PANHUO_TRUSTED_PROXY_FLAG", False) and not settings.PANHUO_TRUSTED_PROXIES:
        errors.append(
            Error(
                "behind a proxy (PANHUO_TRUSTED_PROXY) without PANHUO_TRUSTED_PROXIES: list the gateway addresses",
                id="panhuo.E016",
            )
        )
    return errors
