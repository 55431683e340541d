import os

os.environ.setdefault("POMOC_TESTING", "1")
os.environ.setdefault("POMOC_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
