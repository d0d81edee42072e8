from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "panhuo.deals"
    label = "deals"
    verbose_name = "交易"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = []
