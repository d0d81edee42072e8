from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "panhuo.imports"
    label = "imports"
    verbose_name = "导入"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = []
