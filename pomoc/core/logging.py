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
