from django.urls import path

from panhuo.monitoring import product_views, views

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
    path("products/", product_views.product_list, name="products"),
    path("products/new/", product_views.product_create, name="product-create"),
    path("products/import/", product_views.product_import, name="product-import"),
    path(
        "products/import/template.xlsx", product_views.product_import_template, name="product-import-template"
    ),
    path("products/import/<int:pk>/", product_views.product_import_job, name="product-import-job"),
    path("products/<int:pk>/", product_views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", product_views.product_edit, name="product-edit"),
    path("products/<int:pk>/review/", product_views.product_review, name="product-review"),
]
