"""The smallest complete channel kind, living in the test suite: a provider that posts messages to a
webhook and takes replies as JSON over HTTP.

It proves that a kind plugs in without a change to ``tickets/``, ``contacts/`` or ``core/``: a typed
config (``kind.HookConfig``), an inbound adapter (``inbound.py``: a posted payload → ``InboundMessage``
→ ``pomoc.channels.inbound.receive``, acknowledged after), an outbound adapter (``outbound.py``: a
stored reply → a JSON POST → sent, or ``DeliveryFailed``) and the ``ChannelKind`` that ties them
together (``kind.KIND``, registered by a fixture; a real kind registers it in its ``AppConfig.ready``).
``docs/adding-a-channel.md`` walks through the same shape.
"""
