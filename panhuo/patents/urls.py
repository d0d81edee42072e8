from django.urls import path

from panhuo.patents import views

app_name = "patents"
urlpatterns = [
    path("", views.patent_list, name="list"),
    path("pool/", views.pool, name="pool"),
    path("review/", views.review_queue, name="queue"),
    path("review/batch/", views.review_batch, name="review-batch"),
    path("coverage/", views.coverage, name="coverage"),
    path("rights/conflicts/", views.rights_conflicts, name="conflicts"),
    path("<int:pk>/", views.patent_detail, name="detail"),
    path("inventory/<int:pk>/fill/", views.inventory_fill, name="fill"),
    path("inventory/<int:pk>/submit/", views.inventory_submit, name="submit"),
    path("inventory/<int:pk>/review/", views.inventory_review, name="review"),
    path("inventory/<int:pk>/assign/", views.inventory_assign, name="assign"),
    path("inventory/autoassign/", views.inventory_autoassign, name="autoassign"),
]
