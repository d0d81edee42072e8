from django.urls import path

from panhuo.accounts import admin_views, otp, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("otp/", otp.otp_view, name="otp"),
    path("otp/confirm/", otp.step_up_confirm_view, name="step_up_confirm"),
    path("admin/users/", admin_views.users_view, name="users"),
    path("admin/users/<int:user_id>/", admin_views.user_action_view, name="user-action"),
    path("admin/audit/", admin_views.audit_view, name="audit"),
    path("admin/audit/export/", admin_views.audit_export_view, name="audit-export"),
    path("admin/audit/verify/", admin_views.audit_verify_view, name="audit-verify"),
    path("admin/system/", admin_views.system_view, name="system"),
]
