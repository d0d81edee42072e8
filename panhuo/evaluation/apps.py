from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "panhuo.evaluation"
    label = "evaluation"
    verbose_name = "评价"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = []
