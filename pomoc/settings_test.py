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
