"""Demo: build the matching index over the loaded (demo) patents and push one digest to the demo enterprises."""

from __future__ import annotations

import time
from typing import Any

from panhuo.matching import index as idx
from panhuo.matching.models import IndexBuild, PushRun
from panhuo.matching.services import index_build_request, index_build_run, push_run_execute
from panhuo.patents.models import Patent

INLINE_MAX = 1500  # more patents than this: hand the build to the Huey worker so `panhuo demo` stays fast


def load(out: Any) -> None:
    n = Patent.objects.count()
    if n == 0:
        out.write("matching: no patents yet, index not built")
        return
    if n > INLINE_MAX:
        build = index_build_request(kind=IndexBuild.Kind.FULL)
        out.write(
            f"matching: {n} patents, index build #{build.pk} queued (run the worker or `panhuo index build`)"
        )
        return
    t = time.monotonic()
    build = index_build_run(IndexBuild.objects.create(kind=IndexBuild.Kind.FULL).pk)
    idx.forget()
    out.write(f"matching: indexed {build.doc_count} patents ({build.tier}) in {time.monotonic() - t:.0f} s")
    # one digest so the demo enterprise has pushed matches to look at (idempotent: never the same patent twice)
    run = push_run_execute(PushRun.objects.create().pk)
    out.write(f"matching: digest pushed {run.pushed} matches to {run.total} enterprises")
