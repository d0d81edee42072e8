from django.apps import AppConfig
from django.db.models.signals import post_migrate


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

    def ready(self) -> None:
        # Default weights, tier rules and policy exist from the first migrate on, so GET pages never write them.
        from panhuo.evaluation.policies import defaults_after_migrate

        post_migrate.connect(defaults_after_migrate, sender=self, dispatch_uid="evaluation-defaults")
