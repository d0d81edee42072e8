from django.urls import path

from panhuo.demand.views import engagement, enterprise_import, needs, profile, registration

app_name = "demand"
urlpatterns = [
    path("profile/", profile.profile_view, name="profile"),
    path("enterprises/", profile.enterprises_view, name="enterprises"),
    path("enterprises/confirm/", registration.enterprise_confirm_view, name="enterprise-confirm"),
    path("register/", registration.register_view, name="public-register"),
    path("register/sent/", registration.register_sent_view, name="public-register-sent"),
    path("register/confirm/", registration.register_confirm_view, name="public-register-confirm"),
    path("enterprises/import/", enterprise_import.enterprise_import_view, name="enterprise-import"),
    path(
        "enterprises/import/<int:pk>/",
        enterprise_import.enterprise_import_job_view,
        name="enterprise-import-job",
    ),
    path(
        "enterprises/import/<int:pk>/rejects.csv",
        enterprise_import.enterprise_import_rejects_view,
        name="enterprise-import-rejects",
    ),
    path(
        "enterprises/import/template.xlsx",
        enterprise_import.enterprise_import_template_view,
        name="enterprise-import-template",
    ),
    path("needs/", needs.needs_view, name="needs"),
    path("needs/new/", needs.need_create_view, name="need-create"),
    path("needs/<int:pk>/", needs.need_detail_view, name="need-detail"),
    path("needs/<int:pk>/edit/", needs.need_edit_view, name="need-edit"),
    path("needs/<int:pk>/answer/", needs.need_answer_view, name="need-answer"),
    path("needs/<int:pk>/publish/", needs.need_status_view, {"action": "publish"}, name="need-publish"),
    path("needs/<int:pk>/close/", needs.need_status_view, {"action": "close"}, name="need-close"),
    path("subscriptions/", engagement.subscriptions_view, name="subscriptions"),
    path("subscriptions/<int:pk>/delete/", engagement.subscription_delete_view, name="subscription-delete"),
    path("favourites/", engagement.favourites_view, name="favourites"),
    path("patent/<int:pk>/panel/", engagement.patent_panel_view, name="patent-panel"),
    path("patent/<int:pk>/favourite/", engagement.favourite_toggle_view, name="favourite-toggle"),
    path("patent/<int:pk>/subscribe/", engagement.subscribe_similar_view, name="subscribe-similar"),
    path("patent/<int:pk>/request/", engagement.request_create_view, name="request-create"),
    path("requests/", engagement.requests_view, name="requests"),
    path("requests/<int:pk>/", engagement.request_detail_view, name="request-detail"),
    path("requests/<int:pk>/close/", engagement.request_close_view, name="request-close"),
    path("responses/", engagement.responses_view, name="responses"),
]
