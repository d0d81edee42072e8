"""Demo tenants and one account per role (labelled demo). Passwords are random, kept in data/ and printed."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from panhuo.accounts.models import College, Organization, OrganizationType, Role, User
from panhuo.accounts.services import college_create, generate_password, organization_create, user_create

# Codes other apps' demo loaders rely on.
DEMO_ORGS: list[dict[str, Any]] = [
    {"code": "DEMO-OPERATOR", "name": "盘活平台运营方（演示）", "type": OrganizationType.OPERATOR},
    {
        "code": "DEMO-OFFICE-CQ",
        "name": "重庆市知识产权局（演示）",
        "type": OrganizationType.IP_OFFICE,
        "region_code": "500000",
        "office_level": "province",
    },
    {
        "code": "DEMO-OFFICE-CQ-GXQ",
        "name": "重庆高新区知识产权局（演示）",
        "type": OrganizationType.IP_OFFICE,
        "region_code": "500107",
        "office_level": "district",
        "parent": "DEMO-OFFICE-CQ",
    },
    {
        "code": "DEMO-UNI-1",
        "name": "示范理工大学（演示）",
        "type": OrganizationType.UNIVERSITY,
        "region_code": "500106",
        "colleges": [
            ("EE", "电气与信息学院"),
            ("ME", "机械工程学院"),
            ("MS", "材料科学与工程学院"),
            ("CS", "计算机学院"),
        ],
    },
    {
        "code": "DEMO-UNI-2",
        "name": "示范农林大学（演示）",
        "type": OrganizationType.UNIVERSITY,
        "region_code": "500107",
        "colleges": [("AG", "农学院"), ("FD", "食品学院"), ("BIO", "生命科学学院")],
    },
    {
        "code": "DEMO-INST-1",
        "name": "示范先进材料研究院（演示）",
        "type": OrganizationType.INSTITUTE,
        "region_code": "500107",
        "colleges": [("CHEM", "化学化工研究所"), ("ENERGY", "新能源研究所")],
    },
    {
        "code": "DEMO-ENT-1",
        "name": "渝新智能装备有限公司（演示）",
        "type": OrganizationType.ENTERPRISE,
        "region_code": "500107",
        "credit_code": "91500107MA5U7Q0K4C",
    },
    {
        "code": "DEMO-AGENCY",
        "name": "示范技术转移服务中心（演示）",
        "type": OrganizationType.AGENCY,
        "region_code": "500000",
    },
    {
        "code": "DEMO-BANK",
        "name": "示范银行重庆分行（演示）",
        "type": OrganizationType.BANK,
        "region_code": "500000",
    },
    {
        "code": "DEMO-BANK-2",
        "name": "示范农村商业银行（演示）",
        "type": OrganizationType.BANK,
        "region_code": "500000",
    },
]

DEMO_USERS: list[tuple[str, str, str | None, str | None, str]] = [
    # username, role, org code, college code, 姓名
    ("demo_inventor", Role.INVENTOR, "DEMO-UNI-1", "EE", "王建国"),
    ("demo_college_admin", Role.COLLEGE_ADMIN, "DEMO-UNI-1", "EE", "李秘书"),
    ("demo_institution_admin", Role.INSTITUTION_ADMIN, "DEMO-UNI-1", None, "陈老师"),
    ("demo_enterprise", Role.ENTERPRISE_USER, "DEMO-ENT-1", None, "赵经理"),
    ("demo_office", Role.OFFICE_OFFICIAL, "DEMO-OFFICE-CQ", None, "孙科长"),
    ("demo_agency", Role.AGENCY_USER, "DEMO-AGENCY", None, "周经纪"),
    ("demo_bank", Role.BANK_USER, "DEMO-BANK", None, "吴经理"),
    ("demo_bank2", Role.BANK_USER, "DEMO-BANK-2", None, "郑经理"),  # a second bank: each sees only its own
    ("demo_sysadmin", Role.SYSTEM_ADMIN, None, None, "系统管理员"),
    ("demo_secadmin", Role.SECURITY_ADMIN, None, None, "安全管理员"),
    ("demo_auditadmin", Role.AUDIT_ADMIN, None, None, "审计管理员"),
]


def _fix_credit_code(code: str) -> str:
    from engine.identifiers.credit_code import credit_check_character

    return code[:17] + credit_check_character(code[:17])


def load(out: Any) -> None:
    for spec in DEMO_ORGS:
        org = Organization.objects.filter(code=spec["code"]).first()
        if org is None:
            parent = Organization.objects.get(code=spec["parent"]) if spec.get("parent") else None
            org = organization_create(
                code=spec["code"],
                name=spec["name"],
                type=spec["type"],
                region_code=spec.get("region_code", ""),
                office_level=spec.get("office_level", ""),
                parent=parent,
                credit_code=_fix_credit_code(spec["credit_code"]) if spec.get("credit_code") else "",
                is_demo=True,
            )
        for code, name in spec.get("colleges", []):
            college_create(organization=org, code=code, name=name)
    passwords_file = settings.DATA_DIR / "demo_accounts.json"
    passwords: dict[str, str] = json.loads(passwords_file.read_text()) if passwords_file.exists() else {}
    for username, role, org_code, college_code, name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        org = Organization.objects.get(code=org_code) if org_code else None
        college = College.objects.get(organization=org, code=college_code) if college_code else None
        password = generate_password()
        user_create(
            username=username,
            role=role,
            organization=org,
            college=college,
            display_name=name,
            password=password,
            must_change_password=False,
        )
        passwords[username] = password
    passwords_file.write_text(json.dumps(passwords, ensure_ascii=False, indent=1))
    passwords_file.chmod(0o600)
    out.write("演示账号 demo accounts (username / role / password):")
    for username, role, *_ in DEMO_USERS:
        out.write(f"  {username:24s} {Role(role).label:10s} {passwords.get(username, '(set earlier)')}")
