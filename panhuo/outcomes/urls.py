from django.urls import path

from panhuo.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.outcome_list, name="list"),
    path("deals/<int:deal_id>/", views.outcome_report, name="report"),
]
