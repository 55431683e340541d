"""Websocket routes; ``pomoc/asgi.py`` wraps them in session auth and an origin check."""

from django.urls import path

from pomoc.tickets.consumers import LiveConsumer

websocket_urlpatterns: list = [
    path("ws/live/", LiveConsumer.as_asgi(), name="live"),
]
