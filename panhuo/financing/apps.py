from django.apps import AppConfig

APPLICANTS = ("enterprise_user", "institution_admin")
BANKERS = ("bank_user",)
VIEWERS = (*APPLICANTS, *BANKERS, "office_official")


class FinancingConfig(AppConfig):
    name = "panhuo.financing"
    label = "financing"
    verbose_name = "质押融资"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [("质押融资", "financing:list", VIEWERS)]
