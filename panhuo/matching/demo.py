"""Demo: build the matching index over the loaded (demo) patents and push one digest to the demo enterprises."""

from __future__ import annotations

import time
from typing import Any

from engine.matching.store import vectors_missing
from panhuo.matching import index as idx
from panhuo.matching.documents import patent_docs
from panhuo.matching.models import IndexBuild, PushRun
from panhuo.matching.services import index_build_request, index_build_run, push_run_execute
from panhuo.patents.models import Patent

INLINE_MAX_EMBED = 300  # texts without a shipped/stored vector a demo build may embed inline (~10–80/s)


def load(out: Any) -> None:
    n = Patent.objects.count()
    if n == 0:
        out.write("matching: no patents yet, index not built")
        return
    t = time.monotonic()
    docs = list(patent_docs(Patent.objects.all()))
    to_embed = vectors_missing(docs, [], idx.reference_passages())
    if to_embed > INLINE_MAX_EMBED:
        build = index_build_request(kind=IndexBuild.Kind.FULL)
        out.write(
            f"matching: {n} patents, {to_embed} without shipped vectors: index build #{build.pk} queued "
            "(run the worker or `panhuo index build`); until it is done matching answers from the keyword index"
        )
        return
    build = index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.FULL).pk)
    idx.forget()
    out.write(
        f"matching: indexed {build.doc_count} patents ({build.tier}, {to_embed} embedded, the rest from the "
        f"shipped reference vectors) in {time.monotonic() - t:.0f} s"
    )
    t = time.monotonic()
    ent = index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.ENTERPRISE).pk)
    idx.forget()
    out.write(f"matching: enterprise index of {ent.doc_count} profiles in {time.monotonic() - t:.0f} s")
    # one digest so the demo enterprise has pushed matches to look at (idempotent: never the same patent twice)
    run = push_run_execute(PushRun.objects.create().pk)
    out.write(f"matching: digest pushed {run.pushed} matches to {run.total} enterprises")
