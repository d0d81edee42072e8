from django.apps import AppConfig

CASE_ROLES = ("office_official", "college_admin", "institution_admin")
BROKERING_ROLES = ("agency_user", "college_admin", "institution_admin", "enterprise_user")
BUSINESS_ROLES = (
    "inventor",
    "college_admin",
    "institution_admin",
    "enterprise_user",
    "agency_user",
    "bank_user",
    "office_official",
)


class CommunityConfig(AppConfig):
    name = "panhuo.community"
    label = "community"
    verbose_name = "案例、活动与服务机构"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("典型案例", "community:cases", BUSINESS_ROLES),
        ("对接活动", "community:events", BUSINESS_ROLES),
        ("撮合服务", "community:brokering", BROKERING_ROLES),
        ("技术经理人", "community:managers", BUSINESS_ROLES),
    ]
