from django.urls import path

from pomoc.community import views, views_agent

app_name = "community"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.topic_new, name="new"),
    path("t/<int:pk>/", views.topic, name="topic"),
    path("t/<int:pk>/reply/", views.reply, name="reply"),
    path("t/<int:pk>/edit/", views.topic_edit, name="topic-edit"),
    path("r/<int:pk>/edit/", views.reply_edit, name="reply-edit"),
    path("t/<int:pk>/vote/", views.topic_vote, name="topic-vote"),
    path("t/<int:pk>/accept/", views.accept, name="accept"),
    path("t/<int:pk>/follow/", views.follow, name="follow"),
    path("r/<int:pk>/vote/", views.reply_vote, name="reply-vote"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("files/<str:public_id>/", views.post_file, name="file"),
    # the agents' side
    path("moderation/", views_agent.queue, name="moderation"),
    path("moderation/categories/", views_agent.categories, name="categories"),
    path("moderation/categories/<int:pk>/", views_agent.categories, name="category"),
    path("moderation/ban/<int:user_id>/", views_agent.ban, name="ban"),
    path("t/<int:pk>/moderate/", views_agent.topic_moderate, name="topic-moderate"),
    path("t/<int:pk>/ticket/", views_agent.to_ticket, name="to-ticket"),
    path("r/<int:pk>/moderate/", views_agent.reply_moderate, name="reply-moderate"),
]
