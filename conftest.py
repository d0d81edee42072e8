"""Shared fixtures: organizations and users of several tenants."""

from __future__ import annotations

import pytest

from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.accounts.services import college_create, organization_create, user_create

STRONG_PASSWORD = "Kx9#mQ2!vLp7"


@pytest.fixture
def make_org(db):
    counter = {"n": 0}

    def make(
        type: str = OrganizationType.UNIVERSITY, code: str | None = None, name: str | None = None, **kw
    ) -> Organization:
        counter["n"] += 1
        code = code or f"ORG{counter['n']}"
        return organization_create(code=code, name=name or f"测试机构{counter['n']}", type=type, **kw)

    return make


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(role: str, organization: Organization | None, **kw) -> User:
        counter["n"] += 1
        kw.setdefault("username", f"{role}{counter['n']}")
        kw.setdefault("password", STRONG_PASSWORD)
        kw.setdefault("must_change_password", False)
        user, _ = user_create(role=role, organization=organization, **kw)
        return user

    return make


@pytest.fixture
def university(make_org):
    org = make_org(OrganizationType.UNIVERSITY, code="UNI-A", name="甲大学")
    college_create(organization=org, code="CS", name="计算机学院")
    college_create(organization=org, code="ME", name="机械学院")
    return org


@pytest.fixture
def other_university(make_org):
    org = make_org(OrganizationType.UNIVERSITY, code="UNI-B", name="乙大学")
    college_create(organization=org, code="CS", name="信息学院")
    return org


@pytest.fixture
def institution_admin(university, make_user):
    return make_user(Role.INSTITUTION_ADMIN, university)


@pytest.fixture
def college_admin(university, make_user):
    return make_user(Role.COLLEGE_ADMIN, university, college=university.colleges.get(code="CS"))


@pytest.fixture
def inventor(university, make_user):
    return make_user(
        Role.INVENTOR, university, college=university.colleges.get(code="CS"), display_name="张三"
    )


@pytest.fixture
def enterprise(make_org):
    return make_org(
        OrganizationType.ENTERPRISE, code="ENT-1", name="丙科技有限公司", credit_code="91350100M000100Y43"
    )


@pytest.fixture
def enterprise_user(enterprise, make_user):
    return make_user(Role.ENTERPRISE_USER, enterprise)


@pytest.fixture
def office(make_org):
    return make_org(
        OrganizationType.IP_OFFICE,
        code="OFFICE-CQ",
        name="重庆市知识产权局",
        region_code="500000",
        office_level="province",
    )


@pytest.fixture
def office_user(office, make_user):
    return make_user(Role.OFFICE_OFFICIAL, office)
