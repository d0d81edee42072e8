"""The patent picker: one way to name a patent in every form (deal, open licence, need, need answer).

People have one of three numbers — 申请号 (`201710601862.3`), 公开（公告）号 (`CN107423234A`) or 授权公告号
(`CN215749890U`) — in any common spelling (CN/ZL prefixes, spaces, dots, full-width digits, with or without the
kind code), or only a few words of the title. `patent_resolve` turns such a text into one patent the user may
pick; `patent_suggest` answers the type-ahead (`GET /api/patents/pick?q=`). Both only look at the patents of a
scope the user may see: `own` (the records of the user's own institution: open licences, the deal form's
type-ahead), `own_pooled` (those in the 专利转化资源库: answers to needs) or `visible` (own records plus the 资源库:
needs). The deal form resolves in `any` patent, because the deal services decide who may name one (the rights
record refuses a non-holder with its own message); its suggestions still come from `own`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q, QuerySet

from engine.identifiers.application_number import (
    NumberError,
    normalise_application_number,
    normalise_publication_number,
)
from panhuo.accounts.acting import Viewer
from panhuo.common.errors import ApplicationError, ErrorCollector
from panhuo.patents.models import InventoryRecord, InventoryState, Patent
from panhuo.patents.selectors import inventory_own, inventory_visible

Scope = Literal["own", "own_pooled", "visible", "any"]
SUGGEST_LIMIT = 10
SCOPE_HINT = {
    "own": "（只能选择本单位的专利）",
    "own_pooled": "（只能选择本单位已入库的专利）",
    "visible": "",
}
# Separators between several patents in one field; spaces are not among them ("ZL 2017 1 0601862.3" is one).
_SEPARATORS = re.compile(r"[,，;；、\n\r]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class PickerItem:
    """One type-ahead suggestion: what goes into the field (`key`) and what a person reads."""

    patent_id: int
    key: str
    number_label: str  # which number `key` is: 申请号 or 公开（公告）号
    title: str
    holder: str
    state: str


def number_label(patent: Patent) -> str:
    """The name of the number `patent.key` shows, for column headings and picker lines."""
    return "申请号" if patent.app_no else "公开（公告）号"


def _records(user: Viewer, scope: Scope) -> QuerySet[InventoryRecord]:
    if scope == "own":
        return inventory_own(user)
    if scope == "own_pooled":
        return inventory_own(user).filter(state=InventoryState.POOLED)
    return inventory_visible(user)  # "visible"; "any" suggests only what the user may see


def _patents(user: Viewer, scope: Scope) -> QuerySet[Patent]:
    if scope == "any":  # a form whose service decides who may name the patent (deals: the rights record)
        return Patent.objects.all()
    return Patent.objects.filter(pk__in=_records(user, scope).values("patent_id"))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _number_query(text: str) -> Q | None:
    """A query for the numbers `text` may be, or None when it is no patent number in any spelling."""
    try:
        return Q(app_no=normalise_application_number(text))
    except NumberError:
        pass
    try:
        number, kind = normalise_publication_number(text)
    except NumberError:
        return None
    grants = [number + kind] if kind else [number + k for k in ("B", "C", "U", "Y", "S")]
    by_pub = Q(pub_no=number, pub_kind=kind) if kind else Q(pub_no=number)
    return by_pub | Q(grant_no__in=grants + [number])


def _number_error(text: str, field: str) -> ApplicationError:
    reason = ""
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 8:  # looks like a 申请号: say what is wrong with it (missing or wrong check digit…)
        try:
            normalise_application_number(text)
        except NumberError as exc:
            reason = f"（按申请号：{exc.message_zh}）"
    return ApplicationError(
        "patent_number",
        f"无法识别“{text}”：请填写申请号、公开（公告）号或授权公告号，或输入名称中的词语后从列表中选择{reason}",
        f"not a patent number or title: {text}",
        field,
    )


def patent_resolve(user: Viewer, text: str, *, scope: Scope, field: str = "patents") -> Patent:
    """The one patent `text` names among the scope's patents, else an ApplicationError saying why."""
    text = _fold(text)
    if not text:
        raise ApplicationError("patent_empty", "请填写专利", "a patent is required", field)
    patents = _patents(user, scope)
    query = _number_query(text)
    if query is not None:
        found = patents.filter(query).first()
        if found is None:
            raise ApplicationError(
                "patent_unknown",
                f"没有找到号码为 {text} 的专利" + SCOPE_HINT.get(scope, ""),
                f"no patent numbered {text}",
                field,
            )
        return found
    if not _CJK.search(text) and re.fullmatch(r"[\sA-Za-z0-9.\-·]+", text):
        raise _number_error(text, field)
    by_title = list(patents.filter(title__icontains=text).order_by("title")[:2])
    exact = patents.filter(title=text).first()
    if exact is not None:
        return exact
    if len(by_title) == 1:
        return by_title[0]
    if not by_title:
        raise ApplicationError(
            "patent_unknown", f"没有名称含“{text}”的专利", f"no patent titled like {text}", field
        )
    raise ApplicationError(
        "patent_ambiguous",
        f"名称含“{text}”的专利不止一件，请从列表中选择或填写号码",
        f"several patents are titled like {text}",
        field,
    )


def patents_resolve(user: Viewer, text: str, *, scope: Scope, field: str = "patents") -> list[Patent]:
    """Several patents separated by commas, 、 or new lines; every bad entry is reported, each by its text."""
    found: list[Patent] = []
    errors = ErrorCollector()
    for token in _SEPARATORS.split(text or ""):
        token = token.strip()
        if not token:
            continue
        try:
            found.append(patent_resolve(user, token, scope=scope, field=field))
        except ApplicationError as exc:
            # "A B" typed with a space between two numbers: resolve each word when every word is a number
            words = token.split()
            if len(words) > 1 and all(_number_query(w) is not None for w in words):
                with errors.capture():
                    found.extend(patent_resolve(user, w, scope=scope, field=field) for w in words)
            else:
                errors.add(exc)
    errors.raise_any()
    return list(dict.fromkeys(found))


def patent_suggest(user: Viewer, q: str, *, scope: Scope, limit: int = SUGGEST_LIMIT) -> list[PickerItem]:
    """Type-ahead: patents whose number starts with, or whose title contains, the text typed."""
    q = _fold(q)[:100]
    if len(q) < 2:
        return []
    records = _records(user, scope).select_related("patent", "organization")
    query = _number_query(q)
    chosen = records.none()
    if query is not None:  # a whole number in some spelling
        chosen = records.filter(patent_id__in=Patent.objects.filter(query).values("pk"))
    if not chosen.exists():
        digits = re.sub(r"^(CN|ZL)", "", re.sub(r"[\s.\-]", "", q).upper())
        digits = re.sub(r"(?<=\d)[A-Z]\d?$", "", digits)  # a kind code typed after part of a number
        if digits[:1].isdigit() and not _CJK.search(q):  # the start of a number
            chosen = records.filter(
                Q(patent__app_no__startswith=digits[:12])
                | Q(patent__pub_no__startswith="CN" + digits[:9])
                | Q(patent__grant_no__startswith="CN" + digits[:9])
            )
        else:
            chosen = records.filter(patent__title__icontains=q)
    items: list[PickerItem] = []
    seen: set[int] = set()
    for record in chosen.order_by("patent__title", "pk")[: limit * 3]:
        patent = record.patent
        if patent.pk in seen:
            continue
        seen.add(patent.pk)
        items.append(
            PickerItem(
                patent_id=patent.pk,
                key=patent.key,
                number_label=number_label(patent),
                title=patent.title,
                holder=record.organization.name,
                state=record.get_state_display(),
            )
        )
        if len(items) >= limit:
            break
    return items
