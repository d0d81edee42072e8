from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "panhuo.accounts"
    label = "accounts"
    verbose_name = "账户"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = []
