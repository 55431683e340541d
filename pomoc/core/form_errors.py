"""A service's ``ValidationError`` shown on a page's form (tickets, accounts, administration alike)."""

from django.core.exceptions import ValidationError


def error_messages(error: ValidationError) -> dict[str | None, list[str]]:
    """A service's ValidationError as {field: [messages]}; None for errors without a field."""
    if hasattr(error, "error_dict"):
        return {key: list(messages) for key, messages in error.message_dict.items()}
    return {None: list(error.messages)}


def add_service_errors(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's errors on ``form``: on the matching field, or above the form."""
    aliases = aliases or {}
    for key, messages in error_messages(error).items():
        field = aliases.get(key, key) if key else None
        form.add_error(field if field in form.fields else None, messages)
