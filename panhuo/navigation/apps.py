from django.apps import AppConfig


class NavigationConfig(AppConfig):
    name = "panhuo.navigation"
    label = "navigation"
    verbose_name = "专利导航"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        (
            "专利导航",
            "navigation:scopes",
            (
                "college_admin",
                "institution_admin",
                "inventor",
                "enterprise_user",
                "office_official",
                "agency_user",
                "bank_user",
            ),
        ),
    ]
