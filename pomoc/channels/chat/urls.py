from django.urls import path

from pomoc.channels.chat import views, views_agent

app_name = "chat"

urlpatterns = [
    path("api/<str:key>/session", views.session, name="session"),
    path("api/<str:key>/messages", views.messages, name="messages"),
    path("api/<str:key>/upload", views.upload, name="upload"),
    path("api/<str:key>/offline", views.offline, name="offline"),
    path("api/<str:key>/rating", views.rating, name="rating"),
    path("api/<str:key>/transcript", views.transcript, name="transcript"),
    path("api/<str:key>/files/<str:public_id>", views.file, name="file"),
    # the agent side (signed-in staff)
    path("live/", views_agent.live, name="live"),
    path("visitors/", views_agent.visitors, name="visitors"),
    path("visitors/<int:visitor>/invite", views_agent.visitor_invite, name="visitor_invite"),
    path("visitors/<int:visitor>/block", views_agent.visitor_block, name="visitor_block"),
    path("conversations/<int:conversation>/accept", views_agent.accept, name="accept"),
    path("conversations/<int:conversation>/transfer", views_agent.transfer, name="transfer"),
    path("conversations/<int:conversation>/invite", views_agent.invite_agent, name="invite_agent"),
    path("conversations/<int:conversation>/end", views_agent.end, name="end"),
]
