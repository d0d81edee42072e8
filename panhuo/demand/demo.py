"""Demo: ~200 generated enterprises (labelled 演示), the DEMO-ENT-1 profile, ~60 needs, answers, requests.

No real enterprise list exists, so enterprises are generated honestly: names from templates, 经营范围 assembled
from GB/T 4754-2017 class names and official notes (`reference/industry/gbt4754_2017.csv`), Chongqing district
codes, credit codes with correct check characters. Needs are written from IPC main-group titles
(`reference/ipc/ipc_2026_01_zh.csv`) of the demo patents' fields. Idempotent: enterprises upsert by credit code,
needs / answers / requests are made once (guarded by existing demo needs).
"""

from __future__ import annotations

import csv
import random
import re
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from engine.identifiers.credit_code import ALPHABET, credit_check_character
from panhuo.accounts.models import Organization, OrganizationType, User
from panhuo.common.audit import audit_record
from panhuo.demand.industries import industry_classes, industry_descriptions, suggest_industries
from panhuo.demand.models import (
    CooperationMode,
    CooperationRequest,
    EnterpriseProfile,
    Favourite,
    Need,
    NeedAnswer,
    NeedStatus,
    Qualification,
    RequestStatus,
    Subscription,
)
from panhuo.demand.selectors import needs_relevant_for_institution
from panhuo.demand.services import (
    cooperation_request_create,
    enterprise_profile_save,
    favourite_toggle,
    subscription_create,
)
from panhuo.demand.services.profiles import EnterpriseRow, enterprise_upsert
from panhuo.patents.models import InventoryRecord, InventoryState, Patent, PatentIndustry

N_ENTERPRISES = 200
N_NEEDS = 60
DEMO_INSTITUTIONS = ("DEMO-UNI-1", "DEMO-UNI-2", "DEMO-INST-1")

DISTRICTS = {
    "500101": "万州",
    "500102": "涪陵",
    "500103": "渝中",
    "500104": "大渡口",
    "500105": "江北",
    "500106": "沙坪坝",
    "500107": "九龙坡",
    "500108": "南岸",
    "500109": "北碚",
    "500110": "綦江",
    "500111": "大足",
    "500112": "渝北",
    "500113": "巴南",
    "500115": "长寿",
    "500116": "江津",
    "500117": "合川",
    "500118": "永川",
    "500120": "璧山",
    "500151": "铜梁",
    "500153": "荣昌",
}
BRANDS = ["渝创", "巴蜀", "山城", "嘉陵", "两江", "缙云", "歌乐", "鹅岭", "朝天", "金佛", "仙女", "白帝", "龙门", "华岩", "汇川", "博源", "恒信", "中渝", "西永", "长嘉"]  # fmt: skip
# Fields of the demo institutions' colleges when no demo patents are loaded: IPC subclass -> GB/T 4754 小类.
FALLBACK_FIELDS = {
    "H02J": "3823", "H01M": "3841", "G06F": "6513", "G06N": "6513", "G06T": "6531", "B25J": "3491",
    "H01L": "3562", "C08L": "2651", "A23L": "1491", "A01G": "0141", "C07D": "2710", "G01N": "4090",
    "H02S": "3825", "C09K": "2661",
}  # fmt: skip
_PAREN = re.compile(r"[（(][^（）()]*[）)]|〔[^〕]*〕|\[[^\]]*\]")
_NOTE_ITEM = re.compile(r"^—\s*([^：:\n]{2,20})", re.M)


def _credit_code(region: str, n: int) -> str:
    digits = ""
    for _ in range(7):
        n, r = divmod(n, 31)
        digits = ALPHABET[r] + digits
    first = f"91{region}MA{digits}"
    return first + credit_check_character(first)


def _short_industry(name: str) -> str:
    text = re.split(r"[、及和]", name)[0]
    text = re.sub(r"(制造|服务|开发|种植|加工|生产)$", "", text)
    return text[:8] or name[:4]


def _usable_title(title: str) -> bool:
    """Group titles that read as a technology (not "不包括在 … 中的 …" residual groups)."""
    return 4 <= len(title) <= 30 and not re.search(r"[A-Za-z0-9]|不包括|未在|其他|或者", title)


def _scope(code: str) -> str:
    cls = industry_classes()[code]
    items = [m.strip() for m in _NOTE_ITEM.findall(industry_descriptions().get(code, ""))][:3]
    parts = [cls.name, *items, "相关技术开发、技术咨询、技术服务"]
    return "；".join(dict.fromkeys(parts))


def _ipc_titles() -> dict[str, str]:
    path = Path(settings.BASE_DIR) / "reference" / "ipc" / "ipc_2026_01_zh.csv"
    titles: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["level"] in ("subclass", "main_group"):
                title = _PAREN.sub("", row["title_cn"]).strip("；; ")
                if row["level"] == "subclass" or _usable_title(title):
                    titles[row["code"]] = title
    return titles


def _need_groups(rng: random.Random, titles: dict[str, str]) -> list[tuple[str, str, str]]:
    """(main group, its title, GB/T 4754 code) for ~60 needs, from the demo patents' fields first."""
    groups: Counter[str] = Counter()
    for main in Patent.objects.filter(is_demo=True).exclude(ipc_main="").values_list("ipc_main", flat=True):
        if "/" in main:
            groups[main.split("/")[0] + "/00"] += 1
    industry_of: dict[str, str] = {}
    for main, code in PatentIndustry.objects.filter(
        patent__is_demo=True, scheme=PatentIndustry.Scheme.GBT4754, level=4
    ).values_list("patent__ipc_main", "code"):
        if "/" in main:
            industry_of.setdefault(main.split("/")[0] + "/00", code[-4:])
    chosen = [g for g, _ in groups.most_common() if g in titles][:N_NEEDS]
    by_subclass: dict[str, list[str]] = {}
    for code in titles:
        if "/" in code and code[:4] in FALLBACK_FIELDS:
            by_subclass.setdefault(code[:4], []).append(code)
    pool = [
        g for sub in sorted(by_subclass) for g in rng.sample(by_subclass[sub], min(5, len(by_subclass[sub])))
    ]
    rng.shuffle(pool)
    for g in pool:
        if len(chosen) >= N_NEEDS:
            break
        if g not in chosen:
            chosen.append(g)
    out: list[tuple[str, str, str]] = []
    classes = industry_classes()
    for g in chosen:
        code = industry_of.get(g) or FALLBACK_FIELDS.get(g[:4], "")
        if code not in classes:
            hits = suggest_industries(f"{titles.get(g[:4], '')} {titles[g]}", top=1)
            code = hits[0].code if hits else "6513"
        out.append((g, titles[g], code))
    return out


def _enterprises(rng: random.Random, industries: list[str], out: Any) -> dict[str, list[Organization]]:
    regions = list(DISTRICTS)
    counts: Counter[str] = Counter()
    for i in range(N_ENTERPRISES):
        code = industries[i % len(industries)]
        region = regions[i % len(regions)]
        brand = BRANDS[(i // len(regions)) % len(BRANDS)]
        name = (
            f"重庆{DISTRICTS[region]}{brand}{_short_industry(industry_classes()[code].name)}有限公司（演示）"
        )
        quals = rng.sample(list(Qualification.values), rng.choice([0, 0, 1, 1, 2]))
        row = EnterpriseRow(
            name=name,
            credit_code=_credit_code(region, 500_000 + i),
            region_code=region,
            industry_code=code,
            business_scope=_scope(code),
            size=rng.choice(["medium", "small", "small", "micro", "micro", "large"]),
            qualifications=tuple(sorted(quals)),
            contact_name=f"{rng.choice('王李张刘陈杨赵黄周吴')}经理",
            contact_phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
            technical_focus=f"{industry_classes()[code].name}相关新技术（演示）",
        )
        counts[enterprise_upsert(row=row, source=EnterpriseProfile.Source.DEMO, is_demo=True)] += 1
    out.write(f"  演示企业 demo enterprises: {dict(counts)}")
    by_industry: dict[str, list[Organization]] = {}
    for p in EnterpriseProfile.objects.filter(
        is_demo=True, source=EnterpriseProfile.Source.DEMO
    ).select_related("organization"):
        by_industry.setdefault(p.industry_code, []).append(p.organization)
    return by_industry


def _demo_enterprise_profile(out: Any) -> User | None:
    user = User.objects.filter(username="demo_enterprise").select_related("organization").first()
    if user is None or user.organization is None:
        return None
    if not EnterpriseProfile.objects.filter(organization=user.organization).exists():
        org = user.organization
        enterprise_profile_save(
            actor=user,
            name=org.name,
            credit_code=org.credit_code or _credit_code(org.region_code or "500107", 1),
            region_code=org.region_code or "500107",
            industry_code="3491",
            industry_confirmed=True,
            size="small",
            qualifications=["specialised", "high_tech"],
            business_scope="工业机器人、智能装备的研发、制造与销售；机器视觉系统集成；工业控制软件开发（演示）",
            technical_focus="机器人视觉定位、伺服控制、电池与储能装备自动化（演示）",
            contact_name="赵经理",
            contact_phone="13800000001",
        )
        EnterpriseProfile.objects.filter(organization=org).update(is_demo=True)
        out.write("  DEMO-ENT-1 企业信息已登记")
    return user


def _needs(rng: random.Random, groups: list[tuple[str, str, str]], by_industry: dict[str, list[Organization]], ent_user: User | None) -> list[Need]:  # fmt: skip
    now = timezone.now()
    budgets = [(5_000_000, 20_000_000), (10_000_000, 50_000_000), (20_000_000, 100_000_000), (None, None)]
    needs: list[Need] = []
    for i, (group, title, code) in enumerate(groups):
        owners = by_industry.get(code) or [o for orgs in by_industry.values() for o in orgs]
        own = ent_user.organization if ent_user is not None else None
        enterprise = own if own is not None and i % 12 == 0 else rng.choice(owners)
        lo, hi = rng.choice(budgets)
        short = title[:36]
        need = Need.objects.create(
            enterprise=enterprise,
            created_by=ent_user if ent_user is not None and enterprise == ent_user.organization else None,
            title=f"寻求{short}相关技术（演示）",
            description=(
                f"我公司主营{industry_classes()[code].name}，拟引进“{title}”方面的专利技术，用于现有产品升级与降本增效；"
                f"希望与高校院所开展{'合作开发' if i % 3 == 0 else '许可或转让'}。IPC 参考：{group}。[演示数据]"
            ),
            industry_code=code,
            industry_name=industry_classes()[code].name,
            ipc_hints=[group],
            budget_min_fen=lo,
            budget_max_fen=hi,
            wanted_mode=rng.choice(CooperationMode.values),
            deadline=timezone.localdate() + timedelta(days=rng.randrange(30, 180)),
            status=NeedStatus.OPEN,
            published_at=now - timedelta(days=rng.uniform(0.5, 60)),
            is_demo=True,
        )
        audit_record("need.create", tenant_id=enterprise.pk, obj=need, detail={"demo": True})
        needs.append(need)
    return needs


def _answers(rng: random.Random, needs: list[Need], institutions: list[Organization]) -> int:
    now = timezone.now()
    admin = User.objects.filter(username="demo_institution_admin").first()
    made = 0
    for inst in institutions:
        relevant = {r.need.pk for r in needs_relevant_for_institution(User(organization=inst))}
        pooled = list(
            InventoryRecord.objects.filter(organization=inst, state=InventoryState.POOLED).values_list(
                "patent_id", flat=True
            )
        )
        for need in needs:
            related = need.pk in relevant
            if rng.random() > (0.6 if related else 0.12) or need.published_at is None:
                continue
            at = min(now, need.published_at + timedelta(hours=rng.uniform(2, 24 * 25)))
            answer = NeedAnswer.objects.create(
                need=need,
                institution=inst,
                author=admin if admin is not None and admin.organization_id == inst.pk else None,
                text=f"{inst.name}有相关研究基础，可提供专利许可与技术服务，欢迎对接。[演示]",
                answered_at=at,
                is_demo=True,
            )
            if related and pooled:
                answer.proposed_patents.set(rng.sample(pooled, min(2, len(pooled))))
            Need.objects.filter(pk=need.pk, status=NeedStatus.OPEN).update(status=NeedStatus.ANSWERED)
            audit_record("need.answer", tenant_id=inst.pk, obj=answer, detail={"demo": True})
            made += 1
    return made


def _requests(
    rng: random.Random, by_industry: dict[str, list[Organization]], institutions: list[Organization]
) -> int:
    now = timezone.now()
    enterprises = [o for orgs in by_industry.values() for o in orgs]
    made = 0
    for i in range(24):
        inst = institutions[i % len(institutions)]
        pooled = list(
            InventoryRecord.objects.filter(organization=inst, state=InventoryState.POOLED).values_list(
                "patent_id", flat=True
            )[:50]
        )
        created = now - timedelta(days=rng.uniform(0.5, 40))
        roll = rng.random()
        replied = None if roll < 0.3 else min(now, created + timedelta(hours=rng.uniform(1, 24 * 12)))
        status = (
            RequestStatus.NEW
            if replied is None
            else (RequestStatus.ACCEPTED if roll > 0.85 else RequestStatus.REPLIED)
        )
        req = CooperationRequest.objects.create(
            enterprise=rng.choice(enterprises),
            institution=inst,
            patent_id=rng.choice(pooled) if pooled else None,
            mode=rng.choice(CooperationMode.values),
            message="我司对贵单位相关专利感兴趣，希望进一步了解许可条件与技术成熟度。[演示]",
            contact_name="联系人（演示）",
            status=status,
            reply="" if replied is None else "感谢关注，可安排技术对接会。[演示]",
            replied_at=replied,
            is_demo=True,
        )
        CooperationRequest.objects.filter(pk=req.pk).update(created_at=created)
        audit_record("cooperation.create", tenant_id=req.enterprise_id, obj=req, detail={"demo": True})
        made += 1
    return made


def _demo_enterprise_actions(ent_user: User, out: Any) -> None:
    pooled = list(
        Patent.objects.filter(
            inventory_records__state=InventoryState.POOLED, inventory_records__organization__is_demo=True
        )
        .distinct()
        .order_by("pk")[:6]
    )
    for patent in pooled[:3]:
        if not Favourite.objects.filter(user=ent_user, patent=patent).exists():
            favourite_toggle(actor=ent_user, patent=patent)
    if not Subscription.objects.filter(user=ent_user).exists():
        subscription_create(
            actor=ent_user,
            name="机器人与视觉（演示）",
            keywords=["机器人", "视觉检测"],
            ipc_codes=["B25J", "G06T"],
            is_demo=True,
        )
        subscription_create(
            actor=ent_user, name="储能电池（演示）", industry_codes=["3841"], ipc_codes=["H01M"], is_demo=True
        )
    if not CooperationRequest.objects.filter(requester=ent_user).exists():
        for i, patent in enumerate(pooled[3:6]):
            req = cooperation_request_create(
                actor=ent_user,
                patent=patent,
                mode=["licence", "transfer", "joint_development"][i],
                message="希望了解该专利的许可费用与实施条件。[演示]",
                contact_name="赵经理",
                contact_phone="13800000001",
                is_demo=True,
            )
            CooperationRequest.objects.filter(pk=req.pk).update(
                created_at=timezone.now() - timedelta(days=5 + 9 * i)
            )
    out.write(f"  demo_enterprise: 收藏 {Favourite.objects.filter(user=ent_user).count()}，订阅 "
              f"{Subscription.objects.filter(user=ent_user).count()}，合作请求 "
              f"{CooperationRequest.objects.filter(requester=ent_user).count()}")  # fmt: skip


def load(out: Any) -> None:
    started = time.monotonic()
    rng = random.Random(20251123)
    groups = _need_groups(rng, _ipc_titles())
    industries = list(dict.fromkeys([code for _, _, code in groups] + sorted(set(FALLBACK_FIELDS.values()))))
    with transaction.atomic():
        by_industry = _enterprises(rng, industries, out)
        ent_user = _demo_enterprise_profile(out)
    institutions = list(Organization.objects.filter(code__in=DEMO_INSTITUTIONS, type__in=[OrganizationType.UNIVERSITY, OrganizationType.INSTITUTE]).order_by("code"))  # fmt: skip
    if not Need.objects.filter(is_demo=True).exists():
        with transaction.atomic():
            needs = _needs(rng, groups, by_industry, ent_user)
            answers = _answers(rng, needs, institutions) if institutions else 0
            requests = _requests(rng, by_industry, institutions) if institutions else 0
        out.write(f"  技术需求 {len(needs)}，答复 {answers}，合作请求 {requests}")
    else:
        out.write("  技术需求已存在（跳过）")
    if ent_user is not None:
        _demo_enterprise_actions(ent_user, out)
    out.write(f"  demand demo: {time.monotonic() - started:.1f} s")
