from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "panhuo.demand"
    label = "demand"
    verbose_name = "需求"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = []
