from django.apps import AppConfig

REPORTERS = ("enterprise_user", "college_admin", "institution_admin")


class OutcomesConfig(AppConfig):
    name = "panhuo.outcomes"
    label = "outcomes"
    verbose_name = "产业化成效"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [("产业化成效", "outcomes:list", REPORTERS)]
