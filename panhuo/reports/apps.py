from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "panhuo.reports"
    label = "reports"
    verbose_name = "报告"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("报告", "reports:report", ("office_official", "institution_admin")),
    ]
