from django.urls import path

from panhuo.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.search, name="search"),
    path("need/<int:need_id>/panel/", views.need_panel, name="need-panel"),
    path("patent/<int:patent_id>/panel/", views.patent_panel, name="patent-panel"),
    path("broker/", views.broker, name="broker"),
    path("pushed/", views.pushed, name="pushed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("builds/", views.builds, name="builds"),
    path("builds/start/", views.build_start, name="build-start"),
    path("pushes/", views.pushes, name="pushes"),
    path("pushes/start/", views.push_start, name="push-start"),
]
