from django.apps import AppConfig


class PatentsConfig(AppConfig):
    name = "panhuo.patents"
    label = "patents"
    verbose_name = "专利"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = []
