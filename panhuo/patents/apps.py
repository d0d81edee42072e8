from django.apps import AppConfig


class PatentsConfig(AppConfig):
    name = "panhuo.patents"
    label = "patents"
    verbose_name = "专利"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("专利清单", "patents:list", None),
        ("转化资源库", "patents:pool", None),
        ("审核队列", "patents:queue", ("college_admin", "institution_admin")),
        ("建档统计", "patents:coverage", ("college_admin", "institution_admin", "office_official")),
    ]
    # Patent-page extension point (see panhuo/patents/panels.py): (中文标题, url name taking the patent pk,
    # roles or None). Other apps declare the same attribute on their own AppConfig.
    patent_panels: list[tuple[str, str, tuple[str, ...] | None]] = []

    def ready(self) -> None:
        from panhuo.patents import industries  # noqa: F401
