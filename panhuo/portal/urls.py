from django.urls import path

from panhuo.community import public as community_public
from panhuo.portal import console, public, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # 系统管理员 console
    path("console/", console.organizations_view, name="console-organizations"),
    path("console/organizations/new/", console.organization_create_view, name="console-organization-create"),
    path("console/organizations/<int:pk>/", console.organization_view, name="console-organization"),
    path(
        "console/organizations/<int:pk>/inventors/",
        console.inventor_import_view,
        name="console-inventor-import",
    ),
    path(
        "console/organizations/<int:pk>/inventors/<int:job>/",
        console.inventor_import_job_view,
        name="console-inventor-import-job",
    ),
    path(
        "console/inventors/template.xlsx",
        console.inventor_import_template_view,
        name="console-inventor-template",
    ),
    path("console/users/", console.users_view, name="console-users"),
    path("console/users/new/", console.user_create_view, name="console-user-create"),
    path("console/users/<int:pk>/", console.user_view, name="console-user"),
    path("console/users/<int:pk>/password/", console.user_password_reset_view, name="console-user-password"),
    path("console/users/<int:pk>/otp/", console.user_otp_reset_view, name="console-user-otp"),
    # the public front door (no sign-in): published 转化资源库, open licences, needs
    path("public/", public.front_door_view, name="public"),
    path("public/patents/", public.patents_view, name="public-patents"),
    path("public/patents/<int:pk>/", public.patent_view, name="public-patent"),
    path("public/needs/", public.needs_view, name="public-needs"),
    path("public/needs/<int:pk>/", public.need_view, name="public-need"),
    path("public/cases/", community_public.cases_view, name="public-cases"),
    path("public/cases/<int:pk>/", community_public.case_view, name="public-case"),
    path("public/managers/", community_public.managers_view, name="public-managers"),
    path("public/events/", community_public.events_view, name="public-events"),
    path("public/managers/<int:pk>/", community_public.manager_view, name="public-manager"),
    path("publish/", public.publish_manage_view, name="publish"),
]
