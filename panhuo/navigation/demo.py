"""专利导航 demo (idempotent, labelled): saved scopes for the demo office and the demo university, with
technology clusters computed (synchronously here, in the worker otherwise) so the page has data after
`panhuo demo`."""

from __future__ import annotations

from typing import Any

from panhuo.accounts.models import User
from panhuo.navigation.models import ClusterRun, ClusterState, LandscapeScope
from panhuo.navigation.postings import postings_sync
from panhuo.navigation.scope import parse_scope
from panhuo.navigation.services import clusters_run

DEMO_SCOPES = (
    (
        "demo_office",
        "重庆市 电数字数据处理（G06F）专利导航（演示）",
        {"ipc": ["G06F"], "region": "50"},
        "演示：重庆市 G06F 领域以高校为主要创新主体，建议围绕新兴聚类对接辖区软件与信息服务企业需求。",
    ),
    (
        "demo_institution_admin",
        "本校 分离与环境工程（B01D、B08B）专利导航（演示）",
        {"ipc": ["B01D", "B08B"]},
        "",
    ),
)


def load(out: Any) -> None:
    info = postings_sync(full=True)  # the worker keeps them current afterwards
    out.write(f"  navigation demo: IPC postings of {info['patents']} patents")
    for username, name, data, findings in DEMO_SCOPES:
        user = User.objects.filter(username=username).first()
        if user is None or user.organization_id is None:
            out.write(f"  navigation demo: {username} missing (run the accounts demo first)")
            continue
        definition = parse_scope(data)
        scope, created = LandscapeScope.objects.get_or_create(
            organization_id=user.organization_id,
            name=name,
            defaults={
                "created_by": user,
                "definition": definition.to_json(),
                "findings": findings,
                "is_demo": True,
            },
        )
        if not scope.cluster_runs.filter(state=ClusterState.DONE).exists():
            run = ClusterRun.objects.create(scope=scope, definition=scope.definition, requested_by=user)
            run = clusters_run(run.pk)
            out.write(
                f"  navigation demo: {name}: {run.patents} patents, {len(run.clusters)} clusters ({run.note})"
            )
        else:
            out.write(f"  navigation demo: {name}: unchanged")
