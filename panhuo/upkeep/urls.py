from django.urls import path

from panhuo.upkeep import views

app_name = "upkeep"
urlpatterns = [
    path("patents/<int:pk>/panel/", views.patent_panel, name="patent-panel"),
    path("patents/<int:pk>/facts/", views.facts_edit, name="facts"),
    path("patents/<int:pk>/fees/", views.fee_record, name="fee-record"),
    path("fiscal-unused/", views.fiscal_unused, name="fiscal-unused"),
]
