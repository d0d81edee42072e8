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

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from panhuo.navigation.tasks import patent_saved
        from panhuo.patents.models import Patent

        # a saved patent's landscape row is rebuilt in the worker right after the commit (bulk imports and other
        # writes that bypass save() are caught by the 5-minute sync from updated_at)
        post_save.connect(patent_saved, sender=Patent, dispatch_uid="navigation-fact-refresh")
