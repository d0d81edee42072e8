from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "panhuo.common"
    label = "common"
    verbose_name = "通用"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = []
