"""The fuzz profiles of B-1/B-2: `ci` (150 examples, the default) and `nightly` (HYPOTHESIS_PROFILE=nightly, 5,000).

They are registered, never loaded: loading a profile at import time changed every later hypothesis test of the
run, depending on which module pytest happened to import first. The fuzz tests take theirs through `@fuzz`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
settings.register_profile(
    "nightly", max_examples=5000, deadline=2000, suppress_health_check=list(HealthCheck)
)
FUZZ_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if FUZZ_PROFILE not in ("ci", "nightly"):
    FUZZ_PROFILE = "ci"
fuzz = settings(settings.get_profile(FUZZ_PROFILE))
