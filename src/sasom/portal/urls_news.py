from django.urls import path

from . import views_news

app_name = "news"

urlpatterns = [
    path("", views_news.news_list, name="list"),
    path("new/", views_news.news_edit, name="new"),
    path("<int:pk>/", views_news.news_edit, name="edit"),
    path("<int:pk>/delete/", views_news.news_remove, name="delete"),
]
