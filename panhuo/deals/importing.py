"""Import historical deal records (an office's 转让 / 许可 / 质押 备案 data) through the generic import framework.

Natural key: 备案号 when given, else a hash of the row's identifying fields, scoped to the importing tenant, so
re-running a file changes nothing and a crash resumes from the last checkpoint without duplicates.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from engine.deals.money import MoneyError, parse_yuan
from engine.identifiers.application_number import NumberError, normalise_application_number
from panhuo.accounts.models import Organization, OrganizationType
from panhuo.common.errors import ApplicationError
from panhuo.deals.models import Deal, DealKind, DealSource, DealState, Filing, FilingKind, LicenceType
from panhuo.deals.services.deals import COUNTER_ROLE, OWN_ROLE, deal_create, party_organization
from panhuo.deals.services.income import payment_record
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, RowReject, register
from panhuo.patents.models import Patent

KIND_WORDS = {
    "转让": DealKind.TRANSFER,
    "专利权转让": DealKind.TRANSFER,
    "许可": DealKind.LICENCE,
    "实施许可": DealKind.LICENCE,
    "开放许可": DealKind.OPEN_LICENCE,
    "质押": DealKind.PLEDGE,
    "质押融资": DealKind.PLEDGE,
    "作价入股": DealKind.EQUITY,
    "作价投资": DealKind.EQUITY,
}
LICENCE_WORDS = {
    "独占": LicenceType.EXCLUSIVE,
    "独占许可": LicenceType.EXCLUSIVE,
    "排他": LicenceType.SOLE,
    "排他许可": LicenceType.SOLE,
    "普通": LicenceType.ORDINARY,
    "普通许可": LicenceType.ORDINARY,
    "分许可": LicenceType.ORDINARY,
}
FILING_FOR = {
    DealKind.TRANSFER: FilingKind.TRANSFER_REGISTRATION,
    DealKind.LICENCE: FilingKind.LICENCE_FILING,
    DealKind.OPEN_LICENCE: FilingKind.LICENCE_FILING,
    DealKind.PLEDGE: FilingKind.PLEDGE_REGISTRATION,
}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")


def parse_day(raw: str) -> date:
    text = raw.strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if not match:
        raise ValueError(raw)
    return date(int(match[1]), int(match[2]), int(match[3]))


class _RowError(Exception):
    def __init__(self, column: str, value: str, code: str, zh: str, en: str) -> None:
        super().__init__(code)
        self.reject = (column, value, code, zh, en)


def _money(row: dict[str, str], column: str) -> int:
    raw = row.get(column, "")
    if not raw.strip():
        return 0
    try:
        return parse_yuan(raw)
    except MoneyError as exc:
        raise _RowError(column, raw, exc.code, exc.message_zh, exc.message_en)


def _day(row: dict[str, str], column: str) -> date | None:
    raw = row.get(column, "")
    if not raw.strip():
        return None
    try:
        day = parse_day(raw)
    except ValueError:
        raise _RowError(column, raw, "date_format", f"日期格式不正确：{raw}", f"malformed date {raw!r}")
    if day > timezone.localdate():
        raise _RowError(column, raw, "date_future", "日期不能晚于今天", "date is in the future")
    return day


@register
class DealImportHandler(ImportHandler):
    kind = "deals"
    label_zh = "历史交易（转让/许可/质押/作价入股备案数据）"
    template_version = "1"
    roles = ("institution_admin", "college_admin")
    batch_size = 500
    columns = (
        ColumnSpec("app_no", ("申请号", "专利号", "application number"), required=True, max_length=40),
        ColumnSpec("kind", ("交易类型", "类型", "deal type"), required=True, max_length=20),
        ColumnSpec("licence_type", ("许可类型", "许可种类", "licence type"), max_length=20),
        ColumnSpec(
            "from_party", ("让与人", "许可人", "出质人", "转让人", "from"), required=True, max_length=200
        ),
        ColumnSpec("to_party", ("受让人", "被许可人", "质权人", "to"), required=True, max_length=200),
        ColumnSpec(
            "to_credit_code",
            (
                "受让人统一社会信用代码",
                "被许可人统一社会信用代码",
                "质权人统一社会信用代码",
                "统一社会信用代码",
            ),
            max_length=40,
        ),
        ColumnSpec("contract_date", ("合同日期", "合同生效日", "contract date"), max_length=30),
        ColumnSpec("filed_on", ("备案日期", "登记日期", "filing date"), max_length=30),
        ColumnSpec("amount", ("合同金额（元）", "合同金额(元)", "合同金额", "amount"), max_length=40),
        ColumnSpec("received", ("到账金额（元）", "到账金额(元)", "到账金额", "received"), max_length=40),
        ColumnSpec("filing_no", ("备案号", "登记号", "filing number"), max_length=64),
    )

    def template_example(self) -> dict[str, str]:
        return {
            "app_no": "201710601862.3",
            "kind": "许可",
            "licence_type": "普通许可",
            "from_party": "示范理工大学",
            "to_party": "渝新智能装备有限公司",
            "to_credit_code": "91500107MA5U7Q0K4C",
            "contract_date": "2024-03-01",
            "filed_on": "2024-04-15",
            "amount": "300,000.00",
            "received": "100,000.00",
            "filing_no": "2024500000123456",
        }

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        org: Organization = job.organization
        for line, row in rows:
            try:
                with transaction.atomic():
                    outcome = self._row(job, org, row)
            except _RowError as exc:
                column, value, code, zh, en = exc.reject
                result.rejects.append(RowReject(line, column, value[:200], code, zh, en))
                continue
            except ApplicationError as exc:
                column = exc.field or ""
                result.rejects.append(
                    RowReject(
                        line, column, str(row.get(column, ""))[:200], exc.code, exc.message_zh, exc.message_en
                    )
                )
                continue
            result.count(outcome)
        return result

    def _row(self, job: Any, org: Organization, row: dict[str, str]) -> str:
        try:
            app_no = normalise_application_number(row["app_no"])
        except NumberError as exc:
            raise _RowError("app_no", row["app_no"], exc.code, exc.message_zh, exc.message_en)
        kind_raw = row["kind"].strip()
        kind = KIND_WORDS.get(kind_raw)
        if kind is None:
            raise _RowError(
                "kind",
                kind_raw,
                "deal_kind",
                "交易类型应为 转让/许可/质押/作价入股",
                "kind must be 转让/许可/质押/作价入股",
            )
        licence_type = ""
        if kind in (DealKind.LICENCE, DealKind.OPEN_LICENCE):
            word = row.get("licence_type", "").strip() or "普通许可"
            if word not in LICENCE_WORDS:
                raise _RowError(
                    "licence_type",
                    word,
                    "licence_type",
                    "许可类型应为 独占/排他/普通",
                    "licence type unknown",
                )
            licence_type = LICENCE_WORDS[word]
            if kind == DealKind.OPEN_LICENCE:
                licence_type = LicenceType.ORDINARY
        amount = _money(row, "amount")
        received = _money(row, "received")
        contract_date = _day(row, "contract_date")
        filed_on = _day(row, "filed_on")
        filing_no = row.get("filing_no", "").strip()
        patent = Patent.objects.filter(app_no=app_no).first()
        if patent is None:
            raise _RowError(
                "app_no",
                row["app_no"],
                "patent_unknown",
                "系统中没有该专利，请先导入专利",
                "unknown patent: import it first",
            )
        key_source = (
            f"{org.pk}|no|{kind}|{filing_no}"
            if filing_no
            else f"{org.pk}|row|{kind}|{app_no}|{row['from_party'].strip()}|{row['to_party'].strip()}|{contract_date}"
        )
        import_key = hashlib.sha256(key_source.encode("utf-8")).hexdigest()
        existing = Deal.objects.filter(import_key=import_key).first()
        if existing is not None:
            return self._update(existing, amount=amount, received=received, contract_date=contract_date)
        counterpart_type = OrganizationType.BANK if kind == DealKind.PLEDGE else OrganizationType.ENTERPRISE
        to_org = party_organization(
            name=row["to_party"], credit_code=row.get("to_credit_code", ""), type=counterpart_type
        )
        from_name = row["from_party"].strip()
        counterparties = [(to_org, str(COUNTER_ROLE[kind]))]
        if from_name and from_name != org.name:
            from_org = party_organization(name=from_name, type=OrganizationType.UNIVERSITY)
            if from_org.pk != org.pk:
                counterparties.append((from_org, str(OWN_ROLE[kind])))
        deal = deal_create(
            actor=None,
            institution=org,
            kind=kind,
            title=f"{kind_raw}：{patent.title}"[:300],
            patents=[patent],
            counterparties=counterparties,
            licence_type=licence_type,
            contract_date=contract_date,
            contract_amount_fen=amount,
            company=to_org if kind == DealKind.EQUITY else None,
            state=DealState.FILED if filed_on else DealState.SIGNED,
            source=DealSource.IMPORT,
            import_key=import_key,
            notes=f"导入任务 {job.pk}",
        )
        if filed_on and kind in FILING_FOR:
            if filing_no and Filing.objects.filter(kind=FILING_FOR[kind], number=filing_no).exists():
                raise _RowError(
                    "filing_no",
                    filing_no,
                    "filing_duplicate",
                    "备案号已被其他交易使用",
                    "filing number in use",
                )
            Filing.objects.create(
                deal=deal,
                kind=FILING_FOR[kind],
                number=filing_no,
                filed_on=filed_on,
                effective_on=filed_on if kind == DealKind.TRANSFER else None,
            )
        if received:
            payment_record(
                deal_id=deal.pk,
                actor=None,
                deal=deal,
                amount_fen=received,
                received_on=filed_on or contract_date or timezone.localdate(),
                reference=f"import:{import_key[:16]}",
            )
        return "inserted"

    def _update(self, deal: Deal, *, amount: int, received: int, contract_date: date | None) -> str:
        changed = False
        if deal.contract_amount_fen != amount or (contract_date and deal.contract_date != contract_date):
            Deal.objects.filter(pk=deal.pk).update(
                contract_amount_fen=amount, contract_date=contract_date or deal.contract_date
            )
            changed = True
        if received > deal.received_fen:
            # the file reports more money received than recorded: record the difference as a new payment
            payment_record(
                deal_id=deal.pk,
                actor=None,
                deal=deal,
                amount_fen=received - deal.received_fen,
                received_on=timezone.localdate(),
                reference=f"import:{deal.import_key[:16] if deal.import_key else deal.pk}:{received}",
            )
            changed = True
        return "updated" if changed else "unchanged"
