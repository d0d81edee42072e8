"""Demo cases, events, brokering and 技术经理人 (labelled demo), so every community page has content. Idempotent.

Everything goes through the services, as the demo accounts: cases by the college admin of DEMO-UNI-1 (reviewed by
its institution admin), events by the Chongqing office and the demo agency, a match proposal answered by both
sides, the agency's 技术经理人 profile and service record, and one deal that names the event and the broker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.community.models import CaseStudy, DealOrigin, Event
from panhuo.community.services import brokers, cases, events
from panhuo.deals.models import CONTRACT_STATES, Deal
from panhuo.demand.models import Need, NeedStatus
from panhuo.demand.selectors import needs_visible
from panhuo.patents.models import InventoryRecord, InventoryState


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def load(out: Any) -> None:
    with (
        transaction.atomic()
    ):  # all or nothing: a half-loaded demo would block the next run (idempotency check)
        _load(out)


def _load(out: Any) -> None:
    if CaseStudy.objects.filter(is_demo=True).exists():
        out.write("community: demo cases and events exist, nothing added")
        return
    writer, reviewer = _user("demo_college_admin"), _user("demo_institution_admin")
    office, agency, enterprise = _user("demo_office"), _user("demo_agency"), _user("demo_enterprise")
    if None in (writer, reviewer, office, agency, enterprise):
        out.write("community: demo accounts missing, nothing added")
        return
    assert writer and reviewer and office and agency and enterprise
    deals = list(
        Deal.objects.filter(is_demo=True, institution_id=writer.organization_id, state__in=CONTRACT_STATES)
        .exclude(contract_amount_fen=0)
        .order_by("pk")[:4]
    )
    n_cases = _cases(writer, reviewer, deals)
    past, upcoming = _events(office, agency, enterprise, writer)
    proposal = _brokering(agency, reviewer, enterprise, writer, past)
    if deals and proposal is not None:
        manager = brokers.manager_save(
            actor=agency,
            data=brokers.ManagerInput(
                name=agency.name,
                qualification="技术经理人（中级）",
                certificate_no="JSJL-2025-0137",
                fields_text="智能制造、新材料",
                bio="从事高校专利转让、许可居间服务八年。",
                public_consent=True,
            ),
            is_demo=True,
        )
        deal = deals[-1]
        events.deal_origin_record(
            actor=reviewer,
            deal_id=deal.pk,
            event_id=past.pk,
            broker_id=agency.organization_id,
            proposal_id=proposal.pk,
            manager_id=manager.pk,
            is_demo=True,
        )
        brokers.service_record(
            actor=agency,
            data=brokers.ServiceInput(
                service_type="brokering",
                started_on=timezone.localdate() - timedelta(days=40),
                ended_on=timezone.localdate() - timedelta(days=5),
                fee_yuan="12,000",
                proposal_id=proposal.pk,
                deal_code=deal.code,
                manager_id=manager.pk,
                notes="组织双方三轮洽谈，协助拟定许可合同。",
            ),
            is_demo=True,
        )
    brokers.manager_save(
        actor=writer,
        data=brokers.ManagerInput(
            name=writer.name, qualification="技术经理人（初级）", fields_text="电子信息", public_consent=False
        ),
        is_demo=True,
    )
    out.write(
        f"community: {n_cases} demo cases, events {past.code} and {upcoming.code}, "
        f"{DealOrigin.objects.filter(is_demo=True).count()} deal origin(s)"
    )


CASES = (
    (
        "示范理工大学“先使用后付费”许可助力中小企业技术升级",
        "mode",
        "学校以先使用后付费方式向区内中小企业许可巡检机器人专利，企业投产后按销售额分期付费。",
        True,
    ),
    (
        "专利导航引导下的校地企精准对接",
        "service",
        "依托专利导航分析区域产业需求，组织专场对接会推介 30 项存量专利，促成两项许可。",
        True,
    ),
    ("职务科技成果赋权改革试点经验", "policy", "赋予科研人员职务科技成果所有权，缩短转化决策链条。", False),
    ("存量专利分级推广的做法", "service", "按价值分层推广存量专利。", None),
)


def _cases(writer: User, reviewer: User, deals: list[Deal]) -> int:
    n = 0
    for i, (title, category, summary, publish) in enumerate(CASES):
        case = cases.case_create(
            actor=writer,
            data=cases.CaseInput(
                title=title,
                category=category,
                summary=summary,
                background="学校存量专利多、转化率低，中小企业承接能力弱。",
                process="梳理存量专利、分级评价，经对接会推介，与企业签订许可合同并备案。",
                effects="企业新产品当年投产，带动上下游配套。",
                lessons="以低门槛许可降低企业试错成本；技术经理人全程跟进。",
                contract_yuan=f"{(i + 1) * 300_000}",
                revenue_yuan=f"{(i + 1) * 1_200_000}",
                jobs=8 + i,
                deal_codes=deals[i].code if i < len(deals) else "",
            ),
            is_demo=True,
        )
        n += 1
        if publish is None:
            continue
        cases.case_submit(actor=writer, case_id=case.pk)
        if publish:
            cases.case_review(actor=reviewer, case_id=case.pk, publish=True)
        elif publish is False:
            cases.case_review(
                actor=reviewer, case_id=case.pk, publish=False, reason="请补充赋权后的转化金额和企业名称。"
            )
    return n


def _pooled(institution_id: int | None, k: int) -> list[str]:
    records = InventoryRecord.objects.filter(organization_id=institution_id or 0, state=InventoryState.POOLED)
    return [r.patent.key for r in records.select_related("patent").order_by("pk")[:k]]


def _events(office: User, agency: User, enterprise: User, writer: User) -> tuple[Any, Any]:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    open_needs = needs_visible(office).filter(status__in=(NeedStatus.OPEN, NeedStatus.ANSWERED))
    needs = list(open_needs.order_by("pk")[:3])
    # Registered while registration was open, then the event is moved into the past (demo only: the services
    # refuse registering after closing and marking attendance before the start).
    start = now + timedelta(days=3)
    past = events.event_create(
        actor=office,
        data=events.EventInput(
            kind="matchmaking",
            title="重庆高校存量专利转化供需对接会（智能制造专场）",
            description="高校推介存量专利，企业发布技术需求，服务机构现场撮合。",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            place="重庆市九龙坡区科技会展中心 2 号厅",
            capacity=120,
            per_org_limit=3,
            registration_closes_at=start - timedelta(days=1),
            need_ids=[n.pk for n in needs],
            patents="\n".join(_pooled(writer.organization_id, 3)),
        ),
        is_demo=True,
    )
    registered = [
        events.event_register(actor=u, event_id=past.pk, is_demo=True) for u in (enterprise, agency, writer)
    ]
    held = now - timedelta(days=20)
    Event.objects.filter(pk=past.pk).update(
        starts_at=held, ends_at=held + timedelta(hours=3), registration_closes_at=held - timedelta(days=1)
    )
    events.attendance_mark(actor=office, event_id=past.pk, attended_ids=[r.pk for r in registered[:2]])
    events.attendance_row(
        actor=office,
        organiser_id=past.organiser_id,
        event_code=past.code,
        name="钱工程师",
        org_name="渝北精密制造有限公司（演示）",
        username="",
        attended=True,
    )
    upcoming = events.event_create(
        actor=office,
        data=events.EventInput(
            kind="roadshow",
            title="高价值专利路演推介会",
            starts_at=now + timedelta(days=14),
            ends_at=now + timedelta(days=14, hours=2),
            online=True,
            place="线上会议室 8801",
            capacity=200,
            registration_closes_at=now + timedelta(days=13),
            patents="\n".join(_pooled(writer.organization_id, 2)),
        ),
        is_demo=True,
    )
    events.event_register(actor=enterprise, event_id=upcoming.pk, is_demo=True)
    events.event_create(
        actor=agency,
        data=events.EventInput(
            kind="training",
            title="高校知识产权运营人员培训：许可合同与备案实务",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=4),
            place="示范知识产权服务中心培训室",
            capacity=40,
            registration_closes_at=now + timedelta(days=28),
        ),
        is_demo=True,
    )
    return past, upcoming


def _brokering(agency: User, holder_admin: User, enterprise: User, writer: User, event: Any) -> Any:
    need = Need.objects.filter(
        enterprise_id=enterprise.organization_id, status__in=(NeedStatus.OPEN, NeedStatus.ANSWERED)
    ).first()
    pooled = _pooled(writer.organization_id, 4)
    if need is None or not pooled:
        return None
    first = brokers.proposal_create(
        actor=agency,
        data=brokers.ProposalInput(
            patent=pooled[0], need_id=need.pk, reason="专利方案与企业的巡检需求高度吻合。", event_id=event.pk
        ),
        is_demo=True,
    )
    brokers.proposal_decide(actor=holder_admin, proposal_id=first.pk, accept=True, note="愿意许可")
    brokers.proposal_decide(actor=enterprise, proposal_id=first.pk, accept=True, note="安排技术交流")
    if len(pooled) > 1:
        brokers.proposal_create(
            actor=agency,
            data=brokers.ProposalInput(patent=pooled[1], need_id=need.pk, reason="可作为备选方案。"),
            is_demo=True,
        )
    return first
