"""The test kind's ``ChannelKind``: what the registry knows about it."""

from collections.abc import Mapping
from typing import Any

from pomoc.channels import registry
from pomoc.channels.tests.testkind.config import HookConfig
from pomoc.channels.tests.testkind.outbound import HookOutbound
from pomoc.contacts.models import IdentityKind

KEY = "testhook"


def clean_config(inbox, values: Mapping[str, Any], errors: registry.Errors) -> dict[str, Any]:
    """Replies are posted over http(s) only; a timeout between 0.1 and 60 seconds."""
    cleaned = {}
    if "url" in values:
        url = values["url"]
        if not isinstance(url, str) or (url and not url.startswith(("http://", "https://"))):
            errors.add("url", "Enter an http:// or https:// address.")
        else:
            cleaned["url"] = url
    if "timeout" in values:
        timeout = values["timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0.1 <= timeout <= 60:
            errors.add("timeout", "Between 0.1 and 60 seconds.")
        else:
            cleaned["timeout"] = float(timeout)
    if "window_hours" in values:
        hours = values["window_hours"]
        if isinstance(hours, bool) or not isinstance(hours, int) or hours < 0:
            errors.add("window_hours", "A whole number of hours, 0 or more.")
        else:
            cleaned["window_hours"] = hours
    return cleaned


def summary(inbox) -> list[tuple[str, str]]:
    return [("Replies are posted to", HookConfig.from_dict(inbox.config).url or "—")]


KIND = registry.ChannelKind(
    key=KEY,
    label="Test hook",
    identity_kind=IdentityKind.SOCIAL,  # the provider's user handle
    config=HookConfig,
    outbound=HookOutbound(),
    clean_config=clean_config,
    secret_names=("token",),  # sent as a bearer token with every reply
    admin_form="pomoc.channels.tests.testkind.forms.HookInboxForm",
    address_label="Account",
    summary=summary,
)
