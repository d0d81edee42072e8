from django.urls import path

from panhuo.community import views

app_name = "community"
urlpatterns = [
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case-new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_new, name="event-new"),
    path("events/stats/", views.event_stats, name="event-stats"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("events/attendance/", views.attendance_import, name="attendance-import"),
    path("events/attendance/<int:pk>/", views.attendance_import_job, name="attendance-import-job"),
    path("events/attendance/template.xlsx", views.attendance_template, name="attendance-template"),
    path("brokering/", views.brokering, name="brokering"),
    path("brokering/proposals/new/", views.proposal_new, name="proposal-new"),
    path("brokering/proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("brokering/services/new/", views.service_new, name="service-new"),
    path("origins/", views.origin_list, name="origins"),
    path("origins/<int:deal_id>/", views.origin_edit, name="origin"),
    path("managers/", views.manager_list, name="managers"),
    path("managers/me/", views.manager_me, name="manager-me"),
    path("managers/<int:pk>/", views.manager_detail, name="manager"),
]
