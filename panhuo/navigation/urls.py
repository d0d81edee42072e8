from django.urls import path

from panhuo.navigation import views

app_name = "navigation"
urlpatterns: list = [
    path("", views.scope_list, name="scopes"),
    path("analyse/", views.analyse_page, name="analyse"),
    path("analyse/patents/", views.analyse_patents, name="patents"),
    path("compare/", views.compare_page, name="compare"),
    path("scopes/<int:pk>/", views.scope_page, name="scope"),
    path("scopes/<int:pk>/patents/", views.scope_patents, name="scope-patents"),
    path("scopes/<int:pk>/edit/", views.scope_edit, name="scope-edit"),
    path("scopes/<int:pk>/delete/", views.scope_delete, name="scope-delete"),
    path("scopes/<int:pk>/findings/", views.findings_save, name="findings"),
    path("scopes/<int:pk>/clusters/", views.clusters_request, name="clusters"),
    path("scopes/<int:pk>/report.pdf", views.report_download, {"fmt": "pdf"}, name="report-pdf"),
    path("scopes/<int:pk>/report.xlsx", views.report_download, {"fmt": "xlsx"}, name="report-xlsx"),
]
