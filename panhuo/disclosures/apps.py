from django.apps import AppConfig

INVENTOR = ("inventor",)
STAFF = ("college_admin", "institution_admin")


class DisclosuresConfig(AppConfig):
    name = "panhuo.disclosures"
    label = "disclosures"
    verbose_name = "技术交底与申请前评估"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("技术交底", "disclosures:list", (*INVENTOR, *STAFF)),
    ]
