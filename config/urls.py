"""URL wiring: each app owns its urls.py; the API is one django-ninja instance (config/api.py)."""

from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("panhuo.portal.urls")),
    path("accounts/", include("panhuo.accounts.urls")),
    path("imports/", include("panhuo.imports.urls")),
    path("patents/", include("panhuo.patents.urls")),
    path("upkeep/", include("panhuo.upkeep.urls")),
    path("classification/", include("panhuo.classification.urls")),
    path("evaluation/", include("panhuo.evaluation.urls")),
    path("demand/", include("panhuo.demand.urls")),
    path("matching/", include("panhuo.matching.urls")),
    path("deals/", include("panhuo.deals.urls")),
    path("disclosures/", include("panhuo.disclosures.urls")),
    path("outcomes/", include("panhuo.outcomes.urls")),
    path("financing/", include("panhuo.financing.urls")),
    path("programmes/", include("panhuo.programmes.urls")),
    path("community/", include("panhuo.community.urls")),
    path("monitoring/", include("panhuo.monitoring.urls")),
    path("reports/", include("panhuo.reports.urls")),
    path("navigation/", include("panhuo.navigation.urls")),
    path("api/", api.urls),
]

handler400 = "panhuo.common.views.bad_request"
handler403 = "panhuo.common.views.permission_denied"
handler404 = "panhuo.common.views.page_not_found"
handler500 = "panhuo.common.views.server_error"
