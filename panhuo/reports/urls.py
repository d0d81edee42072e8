from django.urls import URLPattern, path

from panhuo.reports import views

app_name = "reports"
urlpatterns: list[URLPattern] = [path("", views.report_page, name="report")]
