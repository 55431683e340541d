from django.urls import path

from pomoc.kb import views_agent, views_portal

app_name = "kb"
urlpatterns = [
    # the portal (everyone)
    path("kb/", views_portal.home, name="home"),
    path("kb/search/", views_portal.search_page, name="search"),
    path("kb/suggest/", views_portal.suggest, name="suggest"),
    path("kb/s/<int:pk>/<slug:slug>/", views_portal.section, name="section"),
    path("kb/files/<str:public_id>/<str:name>", views_portal.file, name="file"),
    path("kb/<str:language>/<slug:slug>/", views_portal.article, name="article"),
    path("kb/<str:language>/<slug:slug>/feedback/", views_portal.feedback, name="feedback"),
    # the authors (agents)
    path("articles/", views_agent.article_list, name="manage"),
    path("articles/new/", views_agent.article_new, name="new"),
    path("articles/structure/", views_agent.structure, name="structure"),
    path("articles/preview/", views_agent.preview, name="preview"),
    path("articles/links/", views_agent.link_search, name="links"),
    path("articles/<int:pk>/", views_agent.article_settings, name="settings"),
    path("articles/<int:pk>/files/", views_agent.file_upload, name="upload"),
    path("articles/<int:pk>/<str:language>/", views_agent.edit, name="edit"),
    path("articles/<int:pk>/<str:language>/<str:action>/", views_agent.workflow, name="workflow"),
    path("articles/<int:pk>/<str:language>/versions/<int:number>/restore/", views_agent.restore, name="restore"),
]
