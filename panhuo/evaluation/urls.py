from django.urls import path

from panhuo.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("patent/<int:pk>/panel/", views.patent_panel, name="patent-panel"),
    path("patent/<int:pk>/assess/", views.assess_institution, name="assess-institution"),
    path("patent/<int:pk>/evaluate/", views.assess_enterprise, name="assess-enterprise"),
    path("weights/", views.weights, name="weights"),
    path("tiers/", views.tiers, name="tiers"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job-status"),
    path("fees/", views.fees, name="fees"),
    path("summary.json", views.summary, name="summary"),
]
