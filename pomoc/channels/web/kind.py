"""The web form's ``ChannelKind``. It only receives: replies to its tickets go out by e-mail (the
requester's address, found by the reply routes) and are read in the portal's "my tickets"."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pomoc.channels import registry
from pomoc.channels.web.config import ORIGIN, WebFormConfig, _lines
from pomoc.contacts.models import IdentityKind
from pomoc.core import refusals

KEY = "web"


def clean_config(inbox, values: Mapping[str, Any], errors: registry.Errors) -> dict[str, Any]:
    """Custom fields that exist; origins written as ``https://host[:port]``; 0–600 seconds."""
    from pomoc.tickets.models import CustomFieldDefinition

    cleaned: dict[str, Any] = {}
    if "fields" in values:
        keys = _lines(values["fields"])
        known = set(CustomFieldDefinition.objects.filter(key__in=keys, active=True).values_list("key", flat=True))
        unknown = [key for key in keys if key not in known]
        if unknown:
            errors.add("fields", refusals.refusal(
                _("No active custom field has the key: %(keys)s") % {"keys": ", ".join(unknown)},
                refusals.FIELD_DEFINITION))
        else:
            cleaned["fields"] = list(dict.fromkeys(keys))
    if "embed_origins" in values:
        origins = [origin.rstrip("/") for origin in _lines(values["embed_origins"])]
        wrong = [origin for origin in origins if not ORIGIN.match(origin)]
        if wrong:
            errors.add("embed_origins", _("Write each site as https://name.example (with a port if it has one): "
                                          "%(origins)s") % {"origins": ", ".join(wrong)})
        else:
            cleaned["embed_origins"] = [origin.lower() for origin in origins]
    if "confirm_unknown" in values:
        cleaned["confirm_unknown"] = bool(values["confirm_unknown"])
    if "min_seconds" in values:
        seconds = values["min_seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= 600:
            errors.add("min_seconds", _("A whole number of seconds between 0 and 600."))
        else:
            cleaned["min_seconds"] = seconds
    return cleaned


def summary(inbox) -> list[tuple[Any, str]]:
    config = WebFormConfig.from_dict(inbox.config)
    return [(gettext_lazy("Embedded on"), ", ".join(config.embed_origins) or "—")]


KIND = registry.ChannelKind(
    key=KEY,
    label=gettext_lazy("Web form"),
    identity_kind=IdentityKind.EMAIL,
    config=WebFormConfig,
    outbound=None,
    clean_config=clean_config,
    admin_form="pomoc.channels.web.forms.WebInboxForm",
    summary=summary,
    config_schema={"fields": {"type": "array", "items": {"type": "string", "pattern": "^[-a-zA-Z0-9_]{1,50}$"},
                              "description": "Keys of active custom fields the form asks for, in order."},
                   "embed_origins": {"type": "array", "items": {
                       "type": "string", "pattern": "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/?$"}},
                   "confirm_unknown": {"type": "boolean"},
                   "min_seconds": {"type": "integer", "minimum": 0, "maximum": 600}},
)


def register() -> None:
    registry.register(KIND)
