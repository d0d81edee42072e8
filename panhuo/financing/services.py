"""Writes of the 质押融资 flow: the applicant submits (and supplements, or withdraws); the addressed bank decides,
records the 质押登记 and the repayment. Every submission reports all its errors at once.

Who: the applicant is an enterprise user or an institution's 学校管理员 whose organization holds every patent in
the rights record (sole holder: a pledge needs every co-owner); the bank is a 金融机构 user of the bank the
application is addressed to — anyone else finds the application "not found" (selectors.application_get).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from engine.deals.money import MoneyError, parse_yuan
from engine.deals.schedule import add_months
from engine.identifiers.application_number import (
    NumberError,
    normalise_application_number,
    normalise_publication_number,
)
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, PermissionRefused
from panhuo.deals.services.pledge import (
    pledge_conflicts,
    pledge_deal_open,
    pledge_deal_register,
    pledge_deal_release,
)
from panhuo.evaluation.models import Scenario, ValueScore
from panhuo.financing.models import (
    OPEN_STATES,
    ApplicationStatus,
    PledgeApplication,
    PledgeEvent,
    PledgePatent,
    ValuationSource,
)
from panhuo.financing.selectors import application_get
from panhuo.patents.models import Patent
from panhuo.patents.rights.models import GrantKind
from panhuo.patents.rights.services import rights_check

APPLICANT_ORG_TYPES = (OrganizationType.ENTERPRISE, OrganizationType.UNIVERSITY, OrganizationType.INSTITUTE)
APPLICANT_ROLES = (Role.ENTERPRISE_USER, Role.INSTITUTION_ADMIN)
MAX_TERM_MONTHS = 360
MAX_PATENTS = 200
MAX_REPORT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Report:
    """An uploaded appraisal report (PDF)."""

    name: str
    body: bytes


def _code() -> str:
    return f"RZ{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:8].upper()}"


def _amount(raw: str, field: str, zh: str, errors: ErrorCollector, *, required: bool = True) -> int:
    if not (raw or "").strip():
        if required:
            errors.refuse(field, f"请填写{zh}", f"{field} is required")
        return 0
    try:
        fen = parse_yuan(raw)
    except MoneyError as exc:
        errors.refuse(field, f"{zh}：{exc.message_zh}", exc.message_en)
        return 0
    if required and fen <= 0:
        errors.refuse(field, f"{zh}须大于 0", f"{field} must be positive")
    return fen


def parse_rate_bp(raw: str) -> int:
    """ "3.85" (percent a year) -> 385 basis points; 0 < rate ≤ 100 %, at most two decimals."""
    text = (raw or "").strip().rstrip("%％").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ApplicationError(
            "rate", "年利率应为百分数，如 3.85", "rate must be a percentage, e.g. 3.85", "rate"
        )
    bp = value * 100
    if not value.is_finite() or bp != bp.to_integral_value() or not 0 < bp <= 10000:
        raise ApplicationError(
            "rate", "年利率应在 0–100% 之间，最多两位小数", "rate must be 0-100 % with two decimals", "rate"
        )
    return int(bp)


def _term(months: int | None, field: str, errors: ErrorCollector) -> int:
    if months is None or not 1 <= months <= MAX_TERM_MONTHS:
        errors.refuse(field, f"期限应为 1–{MAX_TERM_MONTHS} 个月", f"term must be 1-{MAX_TERM_MONTHS} months")
        return 0
    return months


def _lookup(raw: str) -> Patent | None:
    """申请号 (any common spelling), else 公开（公告）号 with or without its kind code; NumberError when neither."""
    try:
        return Patent.objects.filter(app_no=normalise_application_number(raw)).first()
    except NumberError as app_error:
        try:
            pub_no, kind = normalise_publication_number(raw)
        except NumberError:
            raise app_error from None
        qs = Patent.objects.filter(pub_no=pub_no)
        return (qs.filter(pub_kind=kind) if kind else qs).order_by("pk").first()


def _patents(keys: Sequence[str], errors: ErrorCollector) -> list[Patent]:
    """申请号 or 公开（公告）号 -> patents; each unknown or malformed one is named."""
    found: dict[int, Patent] = {}
    seen: set[str] = set()
    for raw in keys:
        raw = raw.strip()
        if not raw or raw in seen:
            continue
        seen.add(raw)
        try:
            patent = _lookup(raw)
        except NumberError as exc:
            errors.refuse("patents", f"{raw}：{exc.message_zh}", f"{raw}: {exc.message_en}")
            continue
        if patent is None:
            errors.refuse("patents", f"{raw}：平台上没有该专利", f"{raw}: no such patent")
        else:
            found[patent.pk] = patent
    if not found and not any(e.field == "patents" for e in errors.errors):
        errors.refuse("patents", "请至少填写一件出质专利的申请号", "give at least one patent")
    if len(found) > MAX_PATENTS:
        errors.refuse("patents", f"一次最多 {MAX_PATENTS} 件专利", f"at most {MAX_PATENTS} patents")
    return [found[k] for k in sorted(found)]


def _rights(
    applicant: Organization, patents: list[Patent], errors: ErrorCollector, *, exclude: int | None = None
) -> None:
    """Only the sole holder pledges; nothing pledged, transfer-pending or in another open application."""
    if not patents:
        return
    ids = [p.pk for p in patents]
    try:
        rights_check(organization=applicant, patent_ids=ids, kind=GrantKind.PLEDGE)
    except ApplicationError as exc:
        errors.refuse("patents", exc.message_zh, exc.message_en)
        return
    for sentence in pledge_conflicts(ids, on=timezone.localdate()):
        errors.refuse("patents", sentence, "pledged or transfer pending")
    pending = PledgePatent.objects.filter(patent_id__in=ids, application__status__in=OPEN_STATES)
    if exclude is not None:
        pending = pending.exclude(application_id=exclude)
    for row in pending.select_related("patent", "application").order_by("patent_id"):
        errors.refuse(
            "patents",
            f"专利 {row.patent.key} 已在质押融资申请 {row.application.code} 中办理",
            f"{row.patent.key} is in open application {row.application.code}",
        )


def _report(report: Report | None, errors: ErrorCollector) -> tuple[str, bytes, str]:
    if report is None or not report.body:
        errors.refuse("report", "请上传评估报告（PDF）", "attach the appraisal report (PDF)")
        return "", b"", ""
    if len(report.body) > MAX_REPORT_BYTES:
        errors.refuse("report", "评估报告不能超过 5 MB", "the report exceeds 5 MB")
    elif not report.body.startswith(b"%PDF-"):
        errors.refuse("report", "评估报告须为 PDF 文件", "the report must be a PDF file")
    name = "".join(c for c in report.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] if c.isprintable())[:200]
    return name or "report.pdf", report.body, hashlib.sha256(report.body).hexdigest()


def _scores(patents: list[Patent], errors: ErrorCollector) -> list[dict[str, object]]:
    """The platform's 金融/质押 value scores at submission (a snapshot: later rescoring leaves it as it was)."""
    rows = {
        vs.patent_id: vs
        for vs in ValueScore.objects.filter(patent__in=patents, scenario=Scenario.FINANCE).order_by(
            "patent_id"
        )
    }
    missing = [p.key for p in patents if p.pk not in rows]
    if missing:
        errors.refuse(
            "valuation_source",
            "以下专利尚无平台价值评估，请改为上传评估报告：" + "、".join(missing),
            "no platform score for: " + ", ".join(missing),
        )
    return [
        {
            "patent": p.pk,
            "key": p.key,
            "score": round(rows[p.pk].score, 1),
            "tier": rows[p.pk].get_tier_display() if rows[p.pk].tier else "",
            "high_value": list(rows[p.pk].high_value),
        }
        for p in patents
        if p.pk in rows
    ]


def _event(app: PledgeApplication, actor: User, action: str, before: str, comment: str = "") -> None:
    PledgeEvent.objects.create(
        application=app, actor=actor, action=action, from_status=before, to_status=app.status, comment=comment
    )


def application_submit(
    *,
    actor: User,
    bank_id: int | None,
    patent_keys: Sequence[str],
    amount_yuan: str,
    term_months: int | None,
    purpose: str = "",
    valuation_source: str = ValuationSource.PLATFORM,
    valuation_yuan: str = "",
    appraiser: str = "",
    report: Report | None = None,
    is_demo: bool = False,
) -> PledgeApplication:
    """An application to one bank for a loan on patents the actor's organization holds."""
    org = actor.organization
    if actor.role not in APPLICANT_ROLES or org is None or org.type not in APPLICANT_ORG_TYPES:
        raise PermissionRefused("只有企业用户或高校、科研院所的学校管理员可以申请质押融资", "applicants only")
    errors = ErrorCollector()
    bank = Organization.objects.filter(pk=bank_id or 0, type=OrganizationType.BANK, verified=True).first()
    if bank is None:
        errors.refuse("bank", "请选择受理的金融机构", "choose the bank")
    amount = _amount(amount_yuan, "amount", "申请金额", errors)
    term = _term(term_months, "term_months", errors)
    patents = _patents(patent_keys, errors)
    _rights(org, patents, errors)
    value_fen, name, body, digest, scores = None, "", b"", "", []
    if valuation_source == ValuationSource.APPRAISAL:
        if not appraiser.strip():
            errors.refuse("appraiser", "请填写评估机构名称", "give the appraiser")
        value_fen = _amount(valuation_yuan, "valuation", "评估价值", errors)
        name, body, digest = _report(report, errors)
    elif valuation_source == ValuationSource.PLATFORM:
        scores = _scores(patents, errors) if patents else []
    else:
        errors.refuse("valuation_source", "请选择估值来源", "choose the valuation source")
    errors.raise_any()
    assert bank is not None
    with transaction.atomic():
        app = PledgeApplication.objects.create(
            code=_code(),
            applicant=org,
            bank=bank,
            requested_amount_fen=amount,
            requested_term_months=term,
            purpose=purpose.strip()[:4000],
            valuation_source=valuation_source,
            valuation_fen=value_fen,
            appraiser=appraiser.strip()[:200],
            report_name=name,
            report_sha256=digest,
            report_body=body,
            platform_scores=scores,
            submitted_by=actor,
            submitted_at=timezone.now(),
            is_demo=is_demo,
        )
        PledgePatent.objects.bulk_create([PledgePatent(application=app, patent=p) for p in patents])
        _event(app, actor, "submit", "")
        audit_record(
            "pledge.submit",
            actor=actor,
            tenant_id=org.pk,
            obj=app,
            detail={"bank": bank.pk, "amount_fen": amount, "patents": [p.pk for p in patents]},
        )
    return app


def _own(actor: User, application_id: int) -> PledgeApplication:
    app = application_get(actor, application_id)
    if actor.role not in APPLICANT_ROLES or app.applicant_id != actor.organization_id:
        raise PermissionRefused("只有申请单位可以办理", "the applicant only")
    return app


def _banker(actor: User, application_id: int) -> PledgeApplication:
    app = application_get(actor, application_id)
    if actor.role != Role.BANK_USER or app.bank_id != actor.organization_id:
        raise PermissionRefused("只有受理银行可以办理", "the addressed bank only")
    return app


def _transition(app: PledgeApplication, frm: Sequence[str], to: str, **changes: object) -> None:
    moved = PledgeApplication.objects.filter(pk=app.pk, status__in=list(frm)).update(
        status=to, updated_at=timezone.now(), **changes
    )
    if moved != 1:
        raise ApplicationError(
            "pledge_state",
            "申请状态已变化，请刷新后重试",
            "the application changed; reload and retry",
            "status",
        )
    app.refresh_from_db()


def application_supplement(
    *, actor: User, application_id: int, text: str, report: Report | None = None
) -> PledgeApplication:
    """The applicant answers a request for more material; the application goes back to the bank."""
    app = _own(actor, application_id)
    errors = ErrorCollector()
    if app.status != ApplicationStatus.MORE_INFO:
        errors.refuse("status", "只有“待补充材料”的申请可以补充", "only an application asked for material")
    if not text.strip():
        errors.refuse("supplement", "请填写补充材料说明", "describe the material")
    name, body, digest = "", b"", ""
    if report is not None and report.body:
        name, body, digest = _report(report, errors)
    errors.raise_any()
    before = app.status
    with transaction.atomic():
        changes: dict[str, object] = {"supplement": (app.supplement + "\n" + text.strip()).strip()[:8000]}
        if body:
            changes.update(report_name=name, report_body=body, report_sha256=digest)
        _transition(app, [ApplicationStatus.MORE_INFO], ApplicationStatus.SUBMITTED, **changes)
        _event(app, actor, "supplement", before, text.strip()[:500])
        audit_record(
            "pledge.supplement",
            actor=actor,
            tenant_id=app.applicant_id,
            obj=app,
            detail={"report": bool(body)},
        )
    return app


def application_withdraw(*, actor: User, application_id: int) -> PledgeApplication:
    app = _own(actor, application_id)
    if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO):
        raise ApplicationError(
            "pledge_state", "已审批的申请不能撤回", "a decided application cannot be withdrawn", "status"
        )
    before = app.status
    with transaction.atomic():
        _transition(
            app, [ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO], ApplicationStatus.WITHDRAWN
        )
        _event(app, actor, "withdraw", before)
        audit_record("pledge.withdraw", actor=actor, tenant_id=app.applicant_id, obj=app)
    return app


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    MORE_INFO = "more_info"
    CHOICES = (("approve", "批准"), ("reject", "拒绝"), ("more_info", "要求补充材料"))


def application_decide(
    *,
    actor: User,
    application_id: int,
    decision: str,
    note: str = "",
    amount_yuan: str = "",
    rate_percent: str = "",
    term_months: int | None = None,
    premium_yuan: str = "",
    loan_start: date | None = None,
) -> PledgeApplication:
    """The bank approves (amount, rate, term, start; optional premium), rejects (reasons) or asks for material."""
    app = _banker(actor, application_id)
    errors = ErrorCollector()
    if app.status != ApplicationStatus.SUBMITTED:
        errors.refuse(
            "decision", f"该申请当前为“{app.get_status_display()}”，不能审批", "not awaiting a decision"
        )
    if decision not in (Decision.APPROVE, Decision.REJECT, Decision.MORE_INFO):
        errors.refuse("decision", "请选择审批结果", "choose a decision")
    if decision in (Decision.REJECT, Decision.MORE_INFO) and not note.strip():
        what = "拒绝理由" if decision == Decision.REJECT else "需要补充的材料"
        errors.refuse("note", f"请填写{what}", "give the reasons / the material needed")
    amount = rate = term = premium = 0
    if decision == Decision.APPROVE:
        amount = _amount(amount_yuan, "amount", "批准金额", errors)
        try:
            rate = parse_rate_bp(rate_percent)
        except ApplicationError as exc:
            errors.refuse("rate", exc.message_zh, exc.message_en)
        term = _term(term_months, "term_months", errors)
        premium = _amount(premium_yuan, "premium", "保险 / 担保费", errors, required=False)
        if loan_start is None:
            errors.refuse("loan_start", "请填写贷款起始日", "give the loan start date")
    errors.raise_any()
    before = app.status
    now = timezone.now()
    with transaction.atomic():
        if decision == Decision.APPROVE:
            assert loan_start is not None
            loan_end = add_months(loan_start, term)
            patents = list(app.patents.order_by("pk"))
            deal = pledge_deal_open(
                actor=actor,
                pledgor=app.applicant,
                pledgee=app.bank,
                patents=patents,
                amount_fen=amount,
                term_start=loan_start,
                term_end=loan_end,
                title=f"专利权质押融资（{app.bank.name}）",
                notes=f"质押融资申请 {app.code}",
                is_demo=app.is_demo,
            )
            _transition(
                app,
                [ApplicationStatus.SUBMITTED],
                ApplicationStatus.APPROVED,
                approved_amount_fen=amount,
                interest_rate_bp=rate,
                approved_term_months=term,
                premium_fen=premium,
                loan_start=loan_start,
                loan_end=loan_end,
                decision_note=note.strip()[:4000],
                decided_by=actor,
                decided_at=now,
                deal=deal,
            )
        else:
            target = (
                ApplicationStatus.REJECTED if decision == Decision.REJECT else ApplicationStatus.MORE_INFO
            )
            _transition(
                app,
                [ApplicationStatus.SUBMITTED],
                target,
                decision_note=note.strip()[:4000],
                decided_by=actor,
                decided_at=now,
            )
        _event(app, actor, decision, before, note.strip()[:500])
        audit_record(
            f"pledge.{decision}",
            actor=actor,
            tenant_id=app.applicant_id,
            obj=app,
            detail={"amount_fen": amount, "rate_bp": rate, "term_months": term, "premium_fen": premium},
        )
    return app


def application_register(
    *, actor: User, application_id: int, registration_no: str, registration_date: date | None
) -> PledgeApplication:
    """The 专利权质押登记 number and date (CNIPA); the loan is live from here."""
    app = _banker(actor, application_id)
    errors = ErrorCollector()
    if app.status != ApplicationStatus.APPROVED:
        errors.refuse("registration_no", "批准后才能登记质押", "approve before registering")
    number = registration_no.strip()
    if not number or len(number) > 64:
        errors.refuse("registration_no", "请填写质押登记号（不超过 64 字）", "give the registration number")
    if registration_date is None:
        errors.refuse("registration_date", "请填写质押登记日", "give the registration date")
    elif registration_date > timezone.localdate():
        errors.refuse("registration_date", "质押登记日不能晚于今天", "the registration date is in the future")
    elif app.decided_at and registration_date < timezone.localtime(app.decided_at).date():
        errors.refuse("registration_date", "质押登记日不能早于批准日", "registered before approval")
    if number and PledgeApplication.objects.filter(registration_no=number).exclude(pk=app.pk).exists():
        errors.refuse("registration_no", "该质押登记号已登记", "this registration number exists")
    errors.raise_any()
    assert registration_date is not None and app.deal is not None
    before = app.status
    with transaction.atomic():
        pledge_deal_register(deal=app.deal, actor=actor, number=number, filed_on=registration_date)
        _transition(
            app,
            [ApplicationStatus.APPROVED],
            ApplicationStatus.REGISTERED,
            registration_no=number,
            registration_date=registration_date,
        )
        _event(app, actor, "register", before, number)
        audit_record(
            "pledge.register", actor=actor, tenant_id=app.applicant_id, obj=app, detail={"number": number}
        )
    return app


def application_repay(
    *, actor: User, application_id: int, repaid_on: date | None, interest_paid_yuan: str = ""
) -> PledgeApplication:
    """Repaid: the pledge is released (the deal completes, the rights record no longer shows it pledged)."""
    app = _banker(actor, application_id)
    errors = ErrorCollector()
    if app.status != ApplicationStatus.REGISTERED:
        errors.refuse("repaid_on", "只有已登记放款的贷款可以登记还款解押", "only a registered loan")
    if repaid_on is None:
        errors.refuse("repaid_on", "请填写还款解押日", "give the repayment date")
    elif repaid_on > timezone.localdate():
        errors.refuse("repaid_on", "还款解押日不能晚于今天", "the repayment date is in the future")
    elif app.registration_date and repaid_on < app.registration_date:
        errors.refuse("repaid_on", "还款解押日不能早于质押登记日", "repaid before registration")
    interest = _amount(interest_paid_yuan, "interest_paid", "实付利息", errors, required=False)
    errors.raise_any()
    assert repaid_on is not None and app.deal is not None
    before = app.status
    with transaction.atomic():
        pledge_deal_release(deal=app.deal, actor=actor, on=repaid_on)
        _transition(
            app,
            [ApplicationStatus.REGISTERED],
            ApplicationStatus.REPAID,
            repaid_on=repaid_on,
            interest_paid_fen=interest if (interest_paid_yuan or "").strip() else None,
        )
        _event(app, actor, "repay", before)
        audit_record(
            "pledge.repay",
            actor=actor,
            tenant_id=app.applicant_id,
            obj=app,
            detail={"interest_fen": interest},
        )
    return app
