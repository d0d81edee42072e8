"""Password hashing: Argon2id with the OWASP Password Storage Cheat Sheet's minimum parameters.

m = 19 MiB, t = 2, p = 1: about 25 ms of one core here, against about 240 ms for Django's PBKDF2-SHA256 at
1,000,000 iterations, which OWASP rates as the equivalent strength (Argon2id is memory-hard, so a GPU or ASIC
attacker gains far less from it). The cheaper hash matters for a sign-in storm (a whole university logging in
at 08:00 on 2 cores). Stored PBKDF2 hashes still verify and are re-hashed with Argon2id at the next sign-in
(Django's `must_update`). Raise the parameters through PANHUO_ARGON2_* (docs/settings.md).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    algorithm = (
        "argon2"  # Django's name: hashes stay readable by the stock hasher (the variant is in the hash)
    )

    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return int(settings.PANHUO_ARGON2_TIME_COST)

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        return int(settings.PANHUO_ARGON2_MEMORY_KIB)

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return int(settings.PANHUO_ARGON2_PARALLELISM)
