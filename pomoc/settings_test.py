"""Settings for the test suite: the real settings, with tasks run inline and fast password hashing.

Tests that start ``pomoc`` subprocesses should pass ``DJANGO_SETTINGS_MODULE=pomoc.settings``
explicitly when they need the production behaviour (database task queue).
"""

import os

os.environ.setdefault("POMOC_TESTING", "1")

from pomoc.settings import *  # noqa: E402,F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "mail"]}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_AUTOREFRESH = True

# Test runs (and xdist workers) sharing one Redis must never see each other's keys.
TEST_RUN_PREFIX = f"test-{os.getpid()}-{os.urandom(3).hex()}"
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = TEST_RUN_PREFIX  # noqa: F405
    CACHES["default"]["BACKEND"] = "pomoc.testing.cache.RunRedisCache"  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = TEST_RUN_PREFIX  # noqa: F405

# The test databases are dropped at the end of a run, which a pool's idle connection would prevent;
# the servers the tests start (``pomoc serve`` in a subprocess) use the pool of the real settings.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
