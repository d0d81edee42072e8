from django.apps import AppConfig


class ClassificationConfig(AppConfig):
    name = "panhuo.classification"
    label = "classification"
    verbose_name = "分类"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [("分类体系", "classification:index", None)]
