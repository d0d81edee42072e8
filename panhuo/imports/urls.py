from django.urls import path

from panhuo.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="job-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job-status"),
    path("jobs/<int:pk>/rejects.csv", views.job_rejects_csv, name="job-rejects"),
    path("template/<slug:kind>.xlsx", views.template_download, name="template"),
]
