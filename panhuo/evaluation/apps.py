from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "panhuo.evaluation"
    label = "evaluation"
    verbose_name = "评价"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        (
            "价值评价",
            "evaluation:index",
            (
                "institution_admin",
                "college_admin",
                "inventor",
                "office_official",
                "enterprise_user",
                "agency_user",
                "bank_user",
            ),
        ),
        ("评价权重", "evaluation:weights", ("system_admin",)),
    ]
    # Panels on the patent page: fetched from reverse(url_name, args=[patent.pk]) and inserted as HTML.
    patent_panels: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("价值评价", "evaluation:patent-panel", None)
    ]
