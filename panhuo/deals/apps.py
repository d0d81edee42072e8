from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "panhuo.deals"
    label = "deals"
    verbose_name = "交易"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        (
            "交易管理",
            "deals:list",
            (
                "institution_admin",
                "college_admin",
                "inventor",
                "enterprise_user",
                "office_official",
                "agency_user",
                "bank_user",
            ),
        ),
        ("开放许可", "deals:public-open-licences", None),
        ("我的许可", "deals:my-licences", ("enterprise_user",)),
        ("我的收益", "deals:income", ("inventor",)),
    ]
    # Panel on the patent page (fetched from reverse(url_name, args=[patent.pk])).
    patent_panels: list[tuple[str, str, tuple[str, ...] | None]] = [
        (
            "交易记录",
            "deals:patent-panel",
            (
                "institution_admin",
                "college_admin",
                "inventor",
                "enterprise_user",
                "office_official",
                "agency_user",
                "bank_user",
            ),
        )
    ]

    def ready(self) -> None:
        from panhuo.deals import (
            importing,  # noqa: F401  (registers the "deals" import kind)
            rights_changes,  # noqa: F401  (registers "rights_changes")
        )
