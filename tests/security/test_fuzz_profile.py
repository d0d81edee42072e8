"""B-1/B-2 run as documented (issue 15, also wanted): every parser fuzz test takes the CI / nightly profile's
example count, and importing the fuzz module changes no other test's settings."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import settings

from tests.security import test_parser_fuzz
from tests.security.fuzzing import PROFILE_NAMES

ROOT = Path(__file__).resolve().parents[2]


def test_every_fuzz_test_runs_the_profiles_example_count():
    profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    expected = settings.get_profile(PROFILE_NAMES.get(profile, PROFILE_NAMES["ci"])).max_examples
    tests = {
        name: fn
        for name, fn in inspect.getmembers(test_parser_fuzz, inspect.isfunction)
        if name.startswith("test_") and hasattr(fn, "hypothesis")
    }
    assert len(tests) >= 8
    counts = {name: fn._hypothesis_internal_use_settings.max_examples for name, fn in tests.items()}
    assert counts == dict.fromkeys(tests, expected)
    assert expected == (5000 if profile == "nightly" else 150)


def test_importing_the_fuzz_tests_leaves_other_tests_settings_alone():
    code = (
        "import django; django.setup(); from hypothesis import settings; before = settings.default.max_examples; "
        "import tests.security.test_parser_fuzz; print(before, settings.default.max_examples)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "HYPOTHESIS_PROFILE": "nightly"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    before, after = out.stdout.split()
    assert before == after
