from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "panhuo.portal"
    label = "portal"
    verbose_name = "门户"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("机构与用户", "portal:console-organizations", ("system_admin",)),
        ("公开发布", "portal:publish", ("institution_admin",)),
    ]
