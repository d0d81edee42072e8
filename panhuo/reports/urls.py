from django.urls import path

from panhuo.reports import views

app_name = "reports"
urlpatterns: list = [path("", views.report_page, name="report")]
