from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "panhuo.imports"
    label = "imports"
    verbose_name = "导入"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("批量导入", "imports:job-list", ("institution_admin", "college_admin"))
    ]

    def ready(self) -> None:
        # Handlers live in the higher apps (`<app>/importing`); import them without a static dependency.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("importing")
