from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "panhuo.accounts"
    label = "accounts"
    verbose_name = "账户"
    # (label 中文, url name, roles allowed or None for any signed-in user) shown in the top navigation
    nav: list[tuple[str, str, tuple[str, ...] | None]] = [
        ("账号与角色", "accounts:users", ("security_admin",)),
        ("角色变更审批", "accounts:role-requests", ("security_admin",)),
        ("审计日志", "accounts:audit", ("audit_admin",)),
        ("系统管理", "accounts:system", ("system_admin",)),
    ]

    def ready(self) -> None:
        from panhuo.accounts import checks  # noqa: F401  (registers the production system checks)
