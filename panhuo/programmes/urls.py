from django.urls import path

from panhuo.programmes import project_views, views

app_name = "programmes"
urlpatterns = [
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_new, name="scheme-new"),
    path("schemes/<str:code>/", views.scheme_detail, name="scheme-detail"),
    path("schemes/<str:code>/edit/", views.scheme_edit, name="scheme-edit"),
    path("pledge-figures/", views.pledge_figures, name="pledge-figures"),
    path("projects/", project_views.project_list, name="projects"),
    path("projects/new/", project_views.project_new, name="project-new"),
    path("projects/<int:pk>/", project_views.project_detail, name="project-detail"),
    path(
        "projects/<int:pk>/evidence/<int:evidence_id>/",
        project_views.project_evidence,
        name="project-evidence",
    ),
]
