from django.urls import path

from panhuo.deals import schedule_views, views

app_name = "deals"
urlpatterns = [
    path("", views.deal_list, name="list"),
    path("new/", views.deal_new, name="new"),
    path("<int:deal_id>/", views.deal_detail, name="detail"),
    path("<int:deal_id>/advance/", views.deal_advance_view, name="advance"),
    path("<int:deal_id>/approve/", views.deal_approve_view, name="approve"),
    path("<int:deal_id>/filing/", views.deal_filing_view, name="filing"),
    path("<int:deal_id>/payment/", views.deal_payment_view, name="payment"),
    path("<int:deal_id>/instalments/", views.deal_instalment_view, name="instalment"),
    path("<int:deal_id>/inventors/", views.deal_inventors_view, name="inventors"),
    path("<int:deal_id>/pledge-consent/", views.deal_pledge_consent_view, name="pledge-consent"),
    path("<int:deal_id>/schedule/", schedule_views.deal_schedule, name="schedule"),
    path("patent/<int:patent_id>/panel/", views.patent_panel, name="patent-panel"),
    path("reminders/", views.reminders_view, name="reminders"),
    path("reconciliation/", views.reconciliation_view, name="reconciliation"),
    path("open-licences/", views.open_licence_list, name="public-open-licences"),
    path("open-licences/declare/", views.open_licence_declare_view, name="open-licence-declare"),
    path("open-licences/<int:declaration_id>/", views.open_licence_detail, name="public-open-licence"),
    path(
        "open-licences/<int:declaration_id>/accept/",
        views.open_licence_accept_view,
        name="open-licence-accept",
    ),
    path(
        "open-licences/<int:declaration_id>/withdraw/",
        views.open_licence_withdraw_view,
        name="open-licence-withdraw",
    ),
    path("my-licences/", views.my_licences_view, name="my-licences"),
    path("income/", views.income_view, name="income"),
    path("income/rule/", views.income_rule_view, name="income-rule"),
]
