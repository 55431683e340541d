from django.urls import path

from pomoc.community import views_ideas

app_name = "ideas"
urlpatterns = [
    path("", views_ideas.home, name="home"),
    path("new/", views_ideas.new, name="new"),
    path("<int:pk>/", views_ideas.idea, name="idea"),
    path("<int:pk>/vote/", views_ideas.vote, name="vote"),
    path("<int:pk>/edit/", views_ideas.edit, name="edit"),
    path("<int:pk>/manage/", views_ideas.manage, name="manage"),
]
