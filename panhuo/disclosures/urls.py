from django.urls import path

from panhuo.disclosures import views

app_name = "disclosures"
urlpatterns = [
    path("", views.disclosure_list, name="list"),
    path("new/", views.disclosure_create, name="create"),
    path("<int:pk>/", views.disclosure_detail, name="detail"),
    path("<int:pk>/edit/", views.disclosure_edit, name="edit"),
    path("<int:pk>/submit/", views.disclosure_submit, name="submit"),
    path("<int:pk>/similar/", views.evaluation_search, name="similar"),
    path("<int:pk>/decide/", views.evaluation_decide, name="decide"),
    path("<int:pk>/file/", views.filing_record, name="file"),
    path("<int:pk>/link/", views.filing_link, name="link"),
]
