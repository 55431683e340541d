"""The test kind's ``ChannelKind``: what the registry knows about it."""

from pomoc.channels import registry
from pomoc.channels.tests.testkind.config import HookConfig
from pomoc.channels.tests.testkind.outbound import HookOutbound
from pomoc.contacts.models import IdentityKind

KEY = "testhook"

KIND = registry.ChannelKind(
    key=KEY,
    label="Test hook",
    identity_kind=IdentityKind.SOCIAL,  # the provider's user handle
    config=HookConfig,
    outbound=HookOutbound(),
    address_label="Account",
)
