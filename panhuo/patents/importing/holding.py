"""The import's side of the rights record: whose stored patents a row may touch, co-holder merges, conflicts.

Rules (docs/rights.md):
- a new patent: the importing institution becomes its holder;
- a stored patent it holds alone (or that nobody holds yet): the usual merge (incoming non-empty values win);
- a stored patent held by another institution whose 专利权人 names the importer: the importer becomes a co-holder
  and its row is merged field by field: empty stored fields are filled; a differing stored value is replaced only
  by a source ranked higher (`SOURCE_RANK`), otherwise the difference goes to the holder's review list
  (`RightsConflict`) and the stored value stays;
- any other stored patent held by another institution: the row is rejected and nothing of it is written.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection

from panhuo.accounts.models import Organization
from panhuo.imports.registry import RowReject
from panhuo.patents.importing.parse import PATENT_FIELDS, Parsed, values_from_params
from panhuo.patents.models import LegalStatus, Patent
from panhuo.patents.rights.models import HolderSource, PatentHolder, RightsConflict, RightsEvent
from panhuo.patents.rights.services import holders_backfill, names_match

# Higher wins a disagreement on a bibliographic field: official records over the institutions' own lists.
SOURCE_RANK = {"cnipa": 3, "official": 3, "incopat": 2, "import": 1, "demo": 0, "synthetic": 0}
# Fields a co-holder's row may fill or dispute (keys, flags and the hash are not bibliographic values).
MERGE_FIELDS = tuple(
    n
    for n in PATENT_FIELDS
    if n not in ("app_no", "pub_no", "source", "is_demo", "is_synthetic", "content_hash")
)

OWN, CO_HOLDER, OTHER = "own", "co_holder", "other"


def source_rank(source: str) -> int:
    return SOURCE_RANK.get((source or "").strip().lower(), 1)


def _empty(value: Any) -> bool:
    return value in (None, "", [], LegalStatus.UNKNOWN)


class Holding:
    """Per import run: the importer's standing on each stored patent of a batch, and the holdings it adds."""

    def __init__(self, *, organization_id: int, job_id: int | None) -> None:
        self.org_id = organization_id
        self.job_id = job_id
        self.org_name = (
            Organization.objects.filter(pk=organization_id).values_list("name", flat=True).first() or ""
        )
        self._standing: dict[int, str] = {}
        self._other: dict[int, list[tuple[int, str]]] = {}  # patent -> the other holders (id, name)
        self._claims: set[int] = set()  # stored patents the importer will hold once a row of it is accepted
        self.new_holdings: list[int] = []  # stored patents the importer now holds (claimed or co-held)
        self._sql: str | None = None

    def load(self, patent_ids: list[int]) -> None:
        """The importer's standing on these stored patents (a few queries per batch, only on re-imports)."""
        ids = sorted(set(patent_ids) - set(self._standing))
        if not ids:
            return
        holders_backfill(ids)
        holders: dict[int, list[tuple[int, str]]] = {}
        for pid, oid, name, org_name in PatentHolder.objects.filter(
            patent_id__in=ids, active=True
        ).values_list("patent_id", "organization_id", "name", "organization__name"):
            holders.setdefault(pid, []).append((oid, name or org_name))
        named: dict[int, list[Any]] = {}
        foreign = [pid for pid in ids if pid in holders and all(o != self.org_id for o, _ in holders[pid])]
        if foreign:  # the 专利权人 as stored, else the 申请人 (a record imported without 专利权人)
            named = {
                pk: list(patentees or []) or list(applicants or [])
                for pk, patentees, applicants in Patent.objects.filter(pk__in=foreign).values_list(
                    "id", "patentees", "applicants"
                )
            }
        for pid in ids:
            held = holders.get(pid)
            if not held:
                self._standing[pid] = OWN  # nobody holds it yet: the importer claims it
                self._claims.add(pid)
            elif any(o == self.org_id for o, _ in held):
                self._standing[pid] = OWN if len(held) == 1 else CO_HOLDER
                self._other[pid] = [h for h in held if h[0] != self.org_id]
            elif names_match(self.org_name, named.get(pid) or []):
                self._standing[pid] = CO_HOLDER
                self._other[pid] = held
                self._claims.add(pid)
            else:
                self._standing[pid] = OTHER
                self._other[pid] = held

    def standing(self, patent_id: int) -> str:
        return self._standing[patent_id]

    def accept(self, patent_id: int) -> None:
        """A row of this stored patent goes ahead: a claim or a co-holding becomes a holding in this batch."""
        if patent_id in self._claims:
            self._claims.discard(patent_id)
            self.new_holdings.append(patent_id)

    def refusal(self, p: Parsed, patent_id: int) -> RowReject:
        names = "、".join(n for _, n in self._other.get(patent_id, [])) or "其他单位"
        return RowReject(
            p.line,
            "app_no" if p.app_no else "pub_no",
            str(p.app_no or p.pub_no),
            "rights_held_by_other",
            f"该专利的权利人是{names}，本单位不是权利人，不能导入或修改它（共有专利须在专利权人中列明本单位）",
            "the patent is held by another organization: this row changes nothing",
        )

    def co_holder_changes(
        self, rows: list[tuple[Parsed, int]], source: str
    ) -> tuple[dict[int, dict[str, Any]], list[RightsConflict]]:
        """Field by field: what a co-holder's rows change (by patent id) and what goes to the review list."""
        if not rows:
            return {}, []
        stored = {
            r["id"]: r
            for r in Patent.objects.filter(pk__in=[pid for _, pid in rows]).values(
                "id", "source", *MERGE_FIELDS
            )
        }
        changes: dict[int, dict[str, Any]] = {}
        conflicts: list[RightsConflict] = []
        for p, pid in rows:
            current = stored[pid]
            incoming = values_from_params(p.params)
            higher = source_rank(str(incoming.get("source") or source)) > source_rank(current["source"])
            holder_id = self._other[pid][0][0]
            for name in MERGE_FIELDS:
                value, old = incoming.get(name), current.get(name)
                if _empty(value) or value == old:
                    continue
                if _empty(old) or higher:
                    changes.setdefault(pid, {})[name] = value
                else:
                    conflicts.append(
                        RightsConflict(
                            patent_id=pid,
                            holder_id=holder_id,
                            importer_id=self.org_id,
                            job_id=self.job_id,
                            field=name,
                            stored=json.loads(json.dumps(old, default=str)),
                            incoming=json.loads(json.dumps(value, default=str)),
                        )
                    )
        return changes, conflicts

    def insert_holders(self, patent_ids: list[int]) -> None:
        """The importer holds these patents (new ones, claimed or co-held): one executemany."""
        if not patent_ids:
            return
        if self._sql is None:
            q = connection.ops.quote_name
            true = "TRUE" if connection.vendor == "postgresql" else "1"
            self._sql = (
                f"INSERT INTO {q(PatentHolder._meta.db_table)} "  # noqa: S608 - our identifiers
                f"({q('patent_id')}, {q('organization_id')}, {q('name')}, {q('source')}, {q('active')}) "
                f"VALUES (%s, %s, %s, %s, {true})"
            )
        rows = [(pid, self.org_id, self.org_name, str(HolderSource.IMPORT)) for pid in patent_ids]
        with connection.cursor() as cur:
            cur.executemany(self._sql, rows)

    def flush_stored(self, conflicts: list[RightsConflict]) -> None:
        """Holdings added on stored patents (with their history) and the batch's conflicts."""
        if self.new_holdings:
            self.insert_holders(self.new_holdings)
            RightsEvent.objects.bulk_create(
                [
                    RightsEvent(
                        patent_id=pid,
                        action="holder_add",
                        organization_id=self.org_id,
                        after={"holder": self.org_name, "source": "import", "job": self.job_id},
                    )
                    for pid in self.new_holdings
                ]
            )
            self.new_holdings = []
        RightsConflict.objects.bulk_create(conflicts)
