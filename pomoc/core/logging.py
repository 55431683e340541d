import logging
import re

SECRET_PATTERNS = [
    re.compile(r"(pomoc_)[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(authorization:\s*bearer\s+)\S+"),
    re.compile(r"(?i)((?:password|passwd|secret|token|api_key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',&]+"),
]


def redact(text: str) -> str:
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "[redacted]", text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Masks API tokens, bearer headers and password-like values in every log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


# Lines the worker and the scheduler write for every routine task ("Task id=… state=RUNNING", then
# SUCCESSFUL; "scheduled job … enqueued"): with a mailbox fetched every minute they bury everything
# else on the console. Failures are warnings or errors and always pass.
ROUTINE_LOGGERS = ("django_tasks", "django_tasks_db", "pomoc.core.scheduler")


class RoutineTaskLinesFilter(logging.Filter):
    """Drops the routine task lines below WARNING unless ``POMOC_LOG_TASKS`` is on (or LOG_LEVEL is DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or not record.name.startswith(ROUTINE_LOGGERS):
            return True
        from django.conf import settings

        if getattr(settings, "POMOC_LOG_TASKS", False):
            return True
        message = str(record.msg)
        return not (message.startswith("Task id=") or message.startswith("scheduled job"))
