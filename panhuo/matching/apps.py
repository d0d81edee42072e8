from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "panhuo.matching"
    label = "matching"
    verbose_name = "匹配"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [("智能匹配", "matching:search", None)]
    patent_panels = [
        (
            "推荐企业",
            "matching:patent-panel",
            ("institution_admin", "college_admin", "agency_user", "office_official"),
        )
    ]
