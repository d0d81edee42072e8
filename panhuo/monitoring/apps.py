from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "panhuo.monitoring"
    label = "monitoring"
    verbose_name = "监测"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = []
