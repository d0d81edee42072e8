from django.apps import AppConfig

OFFICE = ("office_official",)
HOLDER_ROLES = ("institution_admin", "college_admin", "enterprise_user")


class ProgrammesConfig(AppConfig):
    name = "panhuo.programmes"
    label = "programmes"
    verbose_name = "资助方案"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("奖补方案", "programmes:schemes", OFFICE),
        ("事前资助项目", "programmes:projects", OFFICE + HOLDER_ROLES),
    ]
