from django.urls import path

from panhuo.financing import views

app_name = "financing"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_new, name="new"),
    path("<int:application_id>/", views.application_detail, name="detail"),
    path("<int:application_id>/report/", views.application_report, name="report"),
    path("<int:application_id>/<str:action>/", views.application_act, name="act"),
]
