from django.apps import AppConfig

OFFICE = ("office_official",)
STATS = ("office_official", "institution_admin", "college_admin", "system_admin")
SURVEY = ("inventor", "college_admin", "institution_admin", "enterprise_user")


class MonitoringConfig(AppConfig):
    name = "panhuo.monitoring"
    label = "monitoring"
    verbose_name = "监测"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("统计监测", "monitoring:dashboard", STATS),
        ("KPI", "monitoring:kpi", OFFICE),
        ("异常交易", "monitoring:anomalies", OFFICE),
        ("奖补", "monitoring:subsidies", OFFICE),
        ("满意度调查", "monitoring:survey", SURVEY),
        ("专利产品备案", "monitoring:products", ("enterprise_user", "office_official")),
    ]
