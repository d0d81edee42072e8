"""The fuzz profiles of B-1/B-2: `ci` (150 examples, the default) and `nightly` (HYPOTHESIS_PROFILE=nightly, 5,000).

They are registered, never loaded: loading a profile at import time changed every later hypothesis test of the
run, depending on which module pytest happened to import first. The fuzz tests take theirs through `@fuzz`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Named apart from Hypothesis's own "ci" profile, which Hypothesis loads by itself when CI is set: registering a
# profile under the loaded profile's name reloads it, and every other test of the run would then get 150 examples.
PROFILE_NAMES = {"ci": "panhuo-fuzz-ci", "nightly": "panhuo-fuzz-nightly"}
settings.register_profile(
    PROFILE_NAMES["ci"], max_examples=150, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    PROFILE_NAMES["nightly"], max_examples=5000, deadline=2000, suppress_health_check=list(HealthCheck)
)
FUZZ_PROFILE = PROFILE_NAMES.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), PROFILE_NAMES["ci"])
fuzz = settings(settings.get_profile(FUZZ_PROFILE))
