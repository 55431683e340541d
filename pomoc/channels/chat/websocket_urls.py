"""The chat sockets (``pomoc/asgi.py``): the visitor's is opened from other sites (the consumer
checks the inbox's allowed origins and the token), the agent's goes through the same-origin check
and session authentication like ``/ws/live/``."""

from django.urls import path

from pomoc.channels.chat.consumers import AgentChatConsumer, VisitorConsumer

visitor_urlpatterns: list = [path("ws/chat/<str:key>/", VisitorConsumer.as_asgi(), name="chat_visitor")]
agent_urlpatterns: list = [path("ws/chat-agent/<int:conversation>/", AgentChatConsumer.as_asgi(), name="chat_agent")]
