from django.apps import AppConfig

STAFF = ("college_admin", "institution_admin")


class UpkeepConfig(AppConfig):
    name = "panhuo.upkeep"
    label = "upkeep"
    verbose_name = "专利维护"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("财政资助未实施", "upkeep:fiscal-unused", STAFF),
    ]
    # The patent page's "专利维护" panel: value facts, annual fees (holder staff only; others get 404).
    patent_panels: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("专利维护（同族、获奖、引用、权属、年费）", "upkeep:patent-panel", STAFF)
    ]

    def ready(self) -> None:
        # 批量建档 takes the same value-fact and annual-fee columns as this app's own import.
        from panhuo.patents.importing.handler import extend
        from panhuo.upkeep.importing import PATENT_IMPORT_EXTENSION

        extend(PATENT_IMPORT_EXTENSION)
