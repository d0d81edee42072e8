from django.urls import path

from panhuo.classification import views

app_name = "classification"
urlpatterns = [
    path("", views.index, name="index"),
    path("ipc/", views.ipc_browse, name="ipc"),
    path("industries/", views.industry_browse, name="industries"),
    path("search/", views.search, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("editions/upload/", views.edition_upload, name="edition-upload"),
    path("editions/activate/", views.edition_activate_view, name="edition-activate"),
]
