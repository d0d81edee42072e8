from django.urls import path

from panhuo.monitoring import views

app_name = "monitoring"
urlpatterns: list = [
    path("", views.stats_dashboard, name="dashboard"),
    path("deals/", views.deals_list, name="deals"),
    path("inventory/", views.inventory_list, name="inventory"),
    path("kpi/", views.kpi_list, name="kpi"),
    path("kpi/<str:code>/", views.kpi_detail, name="kpi-detail"),
    path("anomalies/", views.anomaly_list, name="anomalies"),
    path("anomalies/run/", views.anomaly_run, name="anomaly-run"),
    path("anomalies/<int:pk>/", views.anomaly_detail, name="anomaly-detail"),
    path("subsidies/", views.subsidy_list, name="subsidies"),
    path("subsidies/<int:pk>/", views.subsidy_detail, name="subsidy-detail"),
    path("survey/", views.survey_form, name="survey"),
]
