"""Test settings: same as production shape, faster hashing, queue runs inline unless a test starts a worker."""

import os

os.environ.setdefault("PANHUO_ENV", "test")

from config.settings import *  # noqa: E402,F403
from config.settings import DATA_DIR, HUEY  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only, never in prod
HUEY = {**HUEY, "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEBUG = False
UPLOAD_DIR = DATA_DIR / "test-uploads"
AXES_ENABLED = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PANHUO_RATE_LIMITS_ENABLED = False  # enabled by the tests that check them
PANHUO_STEP_UP_APPROVALS = False  # app tests approve without a TOTP device; tests/security checks it on
PANHUO_BACKGROUND_WRITE_GAP_SECONDS = 0.0  # the pause is tested on its own (panhuo/common/tests)
PANHUO_AUDIT_ANCHOR_FILE = ""  # tests that check the anchor give each run its own file
PANHUO_LANDSCAPE_SNAPSHOT = None  # off: the tests of the snapshot give it their own file
