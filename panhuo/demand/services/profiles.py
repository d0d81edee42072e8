"""企业信息: the enterprise's own profile page and the office bulk import both land here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from panhuo.accounts.models import Organization, OrganizationType, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError
from panhuo.demand.models import EnterpriseProfile
from panhuo.demand.services import checks


def enterprise_profile_save(
    *,
    actor: User,
    name: str,
    credit_code: str,
    region_code: str,
    industry_code: str,
    industry_confirmed: bool,
    size: str,
    qualifications: list[str],
    business_scope: str,
    technical_focus: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str = "",
) -> EnterpriseProfile:
    """Create or edit the acting enterprise user's own profile (register = first save)."""
    org = checks.require_enterprise_user(actor)
    name = name.strip()
    if not name:
        raise ApplicationError("name", "企业名称必填", "name is required", "name")
    code = checks.credit_code(credit_code)
    if Organization.objects.filter(credit_code=code).exclude(pk=org.pk).exists():
        raise ApplicationError(
            "credit_code_taken",
            "该统一社会信用代码已被其他企业使用",
            "credit code belongs to another organization",
            "credit_code",
        )
    region = checks.region_code(region_code)
    ind_code, ind_name = checks.industry(industry_code)
    values = {
        "industry_code": ind_code,
        "industry_name": ind_name,
        "industry_confirmed": bool(industry_confirmed and ind_code),
        "size": checks.size(size),
        "qualifications": checks.qualifications(qualifications),
        "business_scope": business_scope.strip(),
        "technical_focus": technical_focus.strip(),
        "contact_name": contact_name.strip(),
        "contact_phone": checks.phone(contact_phone),
        "contact_email": contact_email.strip(),
    }
    current = EnterpriseProfile.objects.filter(organization=org).first()
    if current is not None and current.office_confirmed:
        # what the office confirmed stays confirmed only while the enterprise leaves it as confirmed
        values["office_confirmed"] = current.size == values["size"] and org.region_code == region
    with transaction.atomic():
        before = {"name": org.name, "credit_code": org.credit_code, "region_code": org.region_code}
        if code != org.credit_code:
            # A self-declared 统一社会信用代码 is not a verified identifier: deals match it only once confirmed.
            org.verified = False
        org.name, org.credit_code, org.region_code = name, code, region
        org.save(update_fields=["name", "credit_code", "region_code", "verified", "updated_at"])
        profile, created = EnterpriseProfile.objects.update_or_create(organization=org, defaults=values)
        audit_record(
            "enterprise_profile.create" if created else "enterprise_profile.update",
            actor=actor,
            tenant_id=org.pk,
            obj=profile,
            detail={
                "industry_code": ind_code,
                "size": values["size"],
                "before": before,
                "after": {"name": name, "credit_code": code, "region_code": region, "verified": org.verified},
            },
        )
    return profile


@dataclass(frozen=True)
class EnterpriseRow:
    """One validated row of an enterprise list (import) or of the demo generator."""

    name: str
    credit_code: str
    region_code: str = ""
    industry_code: str = ""
    business_scope: str = ""
    size: str = ""
    qualifications: tuple[str, ...] = ()
    contact_name: str = ""
    contact_phone: str = ""
    technical_focus: str = ""


def enterprise_row_validate(raw: dict[str, str]) -> EnterpriseRow:
    """Raw strings -> EnterpriseRow; raises ApplicationError naming the bad field."""
    name = (raw.get("name") or "").strip()
    if not name:
        raise ApplicationError("required", "企业名称必填", "name is required", "name")
    if len(name) > 200:
        raise ApplicationError("too_long", "企业名称过长", "name too long", "name")
    quals = [q for q in _split_multi(raw.get("qualifications", ""))]
    ind_code, _ = checks.industry(raw.get("industry_code", ""))
    return EnterpriseRow(
        name=name,
        credit_code=checks.credit_code(raw.get("credit_code", "")),
        region_code=checks.region_code(raw.get("region_code", "")),
        industry_code=ind_code,
        business_scope=(raw.get("business_scope") or "").strip(),
        size=checks.size(raw.get("size", "")),
        qualifications=tuple(checks.qualifications(quals)),
        contact_name=(raw.get("contact_name") or "").strip()[:100],
        contact_phone=checks.phone(raw.get("contact_phone", "")),
    )


def _split_multi(value: str) -> list[str]:
    for sep in "；;，,、|/\n":
        value = value.replace(sep, ";")
    return [p.strip() for p in value.split(";") if p.strip()]


Known = dict[str, tuple[Organization | None, EnterpriseProfile | None]]


def enterprise_prefetch(codes: list[str]) -> Known:
    """One query for a batch: credit code -> (organization, profile), (None, None) when unknown."""
    known: Known = {c: (None, None) for c in codes}
    for org in Organization.objects.filter(credit_code__in=codes).select_related("enterprise_profile"):
        try:
            profile: EnterpriseProfile | None = org.enterprise_profile
        except EnterpriseProfile.DoesNotExist:
            profile = None
        known[org.credit_code] = (org, profile)
    return known


def enterprise_upsert(
    *,
    row: EnterpriseRow,
    actor: User | None = None,
    source: str = EnterpriseProfile.Source.IMPORT,
    is_demo: bool = False,
    known: Known | None = None,
) -> str:
    """Idempotent upsert keyed by 统一社会信用代码: returns "inserted" | "updated" | "unchanged".

    Creates Organization(type=enterprise) when the code is new; refuses a code held by a non-enterprise.
    `known` (from `enterprise_prefetch`, kept current here) saves the two look-ups per row of a batch import.
    """
    ind_code, ind_name = checks.industry(row.industry_code)
    with transaction.atomic():
        if known is not None and row.credit_code in known:
            org, found = known[row.credit_code]
        else:
            org = Organization.objects.select_for_update().filter(credit_code=row.credit_code).first()
            found = EnterpriseProfile.objects.filter(organization=org).first() if org is not None else None
        if org is not None and org.type != OrganizationType.ENTERPRISE:
            raise ApplicationError(
                "credit_code_not_enterprise",
                "该统一社会信用代码属于非企业机构",
                "credit code belongs to a non-enterprise organization",
                "credit_code",
            )
        wanted_profile = {
            "industry_code": ind_code,
            "industry_name": ind_name,
            "size": row.size,
            "qualifications": list(row.qualifications),
            "business_scope": row.business_scope,
            "technical_focus": row.technical_focus,
            "contact_name": row.contact_name,
        }
        if org is None:
            org = Organization.objects.create(
                code=f"ENT-{row.credit_code}",
                name=row.name,
                type=OrganizationType.ENTERPRISE,
                region_code=row.region_code,
                credit_code=row.credit_code,
                is_demo=is_demo,
            )
            profile = EnterpriseProfile.objects.create(
                organization=org,
                contact_phone=row.contact_phone,
                industry_confirmed=bool(ind_code),
                office_confirmed=bool(row.size and row.region_code),
                source=source,
                is_demo=is_demo,
                **wanted_profile,
            )
            audit_record(
                "enterprise.import_create", actor=actor, tenant_id=org.pk, obj=org, detail={"source": source}
            )
            if known is not None:
                known[row.credit_code] = (org, profile)
            return "inserted"
        org_changed = org.name != row.name or bool(row.region_code and org.region_code != row.region_code)
        if found is None:
            profile = EnterpriseProfile(organization=org, source=source, is_demo=is_demo)
            prof_changed = True
        else:
            profile = found
            # Blank import cells never wipe what the enterprise entered itself.
            prof_changed = any(v and getattr(profile, k) != v for k, v in wanted_profile.items())
            prof_changed = prof_changed or bool(
                row.contact_phone and profile.contact_phone != row.contact_phone
            )
        if not org_changed and not prof_changed:
            return "unchanged"
        if org_changed:
            org.name = row.name
            org.region_code = row.region_code or org.region_code
            org.save(update_fields=["name", "region_code", "updated_at"])
        for key, value in wanted_profile.items():
            if value:
                setattr(profile, key, value)
        if ind_code:
            profile.industry_confirmed = True
        if row.size and (row.region_code or org.region_code):
            profile.office_confirmed = True  # the office's list states both
        if row.contact_phone:
            profile.contact_phone = row.contact_phone
        profile.save()
        if known is not None:
            known[row.credit_code] = (org, profile)
        audit_record(
            "enterprise.import_update", actor=actor, tenant_id=org.pk, obj=org, detail={"source": source}
        )
        return "updated"


def enterprise_insert_many(
    *,
    rows: list[EnterpriseRow],
    actor: User | None = None,
    source: str = EnterpriseProfile.Source.IMPORT,
    is_demo: bool = False,
    known: Known | None = None,
) -> int:
    """Insert enterprises whose credit codes are all new (distinct, checked by the caller with `enterprise_prefetch`).

    Two bulk inserts and one audit event naming every organization created, instead of three writes per row.
    """
    if not rows:
        return 0
    with transaction.atomic():
        orgs = Organization.objects.bulk_create(
            [
                Organization(
                    code=f"ENT-{r.credit_code}",
                    name=r.name,
                    type=OrganizationType.ENTERPRISE,
                    region_code=r.region_code,
                    credit_code=r.credit_code,
                    is_demo=is_demo,
                )
                for r in rows
            ]
        )
        if any(o.pk is None for o in orgs):  # backends without RETURNING: read the ids back
            by_code = dict(
                Organization.objects.filter(credit_code__in=[r.credit_code for r in rows]).values_list(
                    "credit_code", "pk"
                )
            )
            for o in orgs:
                o.pk = by_code[o.credit_code]
        profiles = []
        for org, r in zip(orgs, rows, strict=True):
            ind_code, ind_name = checks.industry(r.industry_code)
            profiles.append(
                EnterpriseProfile(
                    organization=org,
                    industry_code=ind_code,
                    industry_name=ind_name,
                    industry_confirmed=bool(ind_code),
                    office_confirmed=bool(r.size and r.region_code),
                    size=r.size,
                    qualifications=list(r.qualifications),
                    business_scope=r.business_scope,
                    technical_focus=r.technical_focus,
                    contact_name=r.contact_name,
                    contact_phone=r.contact_phone,
                    source=source,
                    is_demo=is_demo,
                )
            )
        EnterpriseProfile.objects.bulk_create(profiles)
        audit_record(
            "enterprise.import_create",
            actor=actor,
            object_type="accounts.Organization",
            object_id=f"{orgs[0].pk}..{orgs[-1].pk}",
            detail={"source": source, "count": len(orgs), "organizations": [o.pk for o in orgs]},
        )
        if known is not None:
            for org, profile in zip(orgs, profiles, strict=True):
                known[org.credit_code] = (org, profile)
    return len(orgs)
