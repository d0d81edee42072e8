from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "panhuo.demand"
    label = "demand"
    verbose_name = "需求"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("企业信息", "demand:profile", ("enterprise_user",)),
        ("我的收藏", "demand:favourites", ("enterprise_user",)),
        (
            "技术需求",
            "demand:needs",
            (
                "enterprise_user",
                "inventor",
                "college_admin",
                "institution_admin",
                "office_official",
                "agency_user",
                "bank_user",
            ),
        ),
        (
            "合作请求",
            "demand:requests",
            ("enterprise_user", "college_admin", "institution_admin", "office_official"),
        ),
        ("需求响应", "demand:responses", ("office_official",)),
        ("企业名录", "demand:enterprises", ("office_official",)),
        ("企业确认", "demand:enterprise-confirm", ("office_official",)),
    ]
    # Fragments the patent page fetches and inserts: (title, url name taking the patent pk, roles).
    patent_panels: list[tuple[str, str, tuple[str, ...]]] = [
        ("企业操作", "demand:patent-panel", ("enterprise_user",))
    ]

    def ready(self) -> None:
        # Register the "enterprises" import handler (the imports framework also autodiscovers it).
        try:
            from panhuo.demand import importing  # noqa: F401
        except ImportError:  # the imports framework is not installed yet
            pass
