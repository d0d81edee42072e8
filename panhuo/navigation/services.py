"""Writes for 专利导航: saved scopes (name, definition, sharing, the analyst's findings) and cluster runs."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.navigation.models import ClusterRun, ClusterState, LandscapeScope
from panhuo.navigation.scope import ScopeDefinition, ScopeInvalid, parse_scope
from panhuo.navigation.selectors import landscape_visibility, scope_get

MAX_FINDINGS = 20_000


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ScopeInvalid({"name": "请填写名称 (name is required)"})
    if len(name) > 100:
        raise ScopeInvalid({"name": "名称最多 100 字 (name: at most 100 characters)"})
    return name


def scope_save(
    *, actor: User, name: str, definition: ScopeDefinition, shared: bool = True, scope_id: int | None = None
) -> LandscapeScope:
    """Create a scope of the actor's organization, or change one the actor created."""
    org_id = actor.organization_id
    if org_id is None:
        raise PermissionRefused("只有机构用户可以保存分析范围", "Only members of an organization save scopes")
    name = _check_name(name)
    if definition.is_empty:
        raise ScopeInvalid({"ipc": "请至少设置一项范围条件 (set at least one condition)"})
    with transaction.atomic():
        if scope_id is None:
            scope = LandscapeScope(organization_id=org_id, created_by=actor)
        else:
            scope = scope_get(actor, scope_id)
            if scope.created_by_id != actor.pk:
                raise PermissionRefused("只有创建人可以修改分析范围", "Only its creator changes a scope")
        scope.name = name
        scope.definition = definition.to_json()
        scope.shared = shared
        try:
            with transaction.atomic():
                scope.save()
        except IntegrityError:
            raise ScopeInvalid({"name": f"本单位已有同名分析范围：{name} (name already used)"})
        audit_record(
            "navigation.scope_save",
            actor=actor,
            tenant_id=actor.organization_id,
            obj=scope,
            detail={"name": name, "definition": scope.definition, "shared": shared},
        )
    return scope


def scope_delete(*, actor: User, scope_id: int) -> None:
    with transaction.atomic():
        scope = scope_get(actor, scope_id)
        if scope.created_by_id != actor.pk:
            raise PermissionRefused("只有创建人可以删除分析范围", "Only its creator deletes a scope")
        audit_record(
            "navigation.scope_delete",
            actor=actor,
            tenant_id=actor.organization_id,
            obj=scope,
            detail={"name": scope.name},
        )
        scope.delete()


def findings_save(*, actor: User, scope_id: int, text: str) -> LandscapeScope:
    """The analyst's 结论与建议, printed in the report; anyone of the organization who sees the scope writes it."""
    text = (text or "").replace("\x00", "").strip()
    if len(text) > MAX_FINDINGS:
        raise ApplicationError(
            "findings_too_long",
            f"结论与建议最多 {MAX_FINDINGS} 字",
            f"at most {MAX_FINDINGS} characters",
            "findings",
        )
    with transaction.atomic():
        scope = scope_get(actor, scope_id)
        scope.findings = text
        scope.save(update_fields=["findings", "updated_at"])
        audit_record(
            "navigation.findings_save",
            actor=actor,
            tenant_id=actor.organization_id,
            obj=scope,
            detail={"chars": len(text)},
        )
    return scope


def clusters_request(*, actor: User, scope_id: int) -> ClusterRun:
    """Queue the cluster computation of a scope in the worker (as seen by the requester)."""
    with transaction.atomic():
        scope = scope_get(actor, scope_id)
        run = ClusterRun.objects.create(scope=scope, definition=scope.definition, requested_by=actor)
        audit_record(
            "navigation.clusters_request",
            actor=actor,
            tenant_id=actor.organization_id,
            obj=run,
            detail={"scope": scope.pk},
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from panhuo.navigation.tasks import clusters_task

    clusters_task(run_id)


def clusters_run(run_id: int, *, vectors_from: str = "auto") -> ClusterRun:
    """Compute and store one run (worker, demo, command line). The requester's visibility decides the patents."""
    from panhuo.navigation.clustering import run_for

    run = ClusterRun.objects.select_related("scope", "requested_by").get(pk=run_id)
    if run.state not in (ClusterState.QUEUED, ClusterState.FAILED):
        return run
    run.state, run.started_at = ClusterState.RUNNING, timezone.now()
    run.save(update_fields=["state", "started_at"])
    user = run.requested_by
    visibility = landscape_visibility(user) if user is not None and user.is_active else None
    if visibility is None:
        run.state, run.error = ClusterState.FAILED, "请求人账号已停用 (requester disabled)"
        run.save(update_fields=["state", "error"])
        return run
    try:
        result = run_for(parse_scope(run.definition), visibility, vectors_from=vectors_from)
    except Exception as exc:  # the run records the failure; the worker keeps going
        run.state, run.error, run.finished_at = ClusterState.FAILED, str(exc)[:1000], timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
        raise
    run.patents = result["patents"]
    run.clusters = result["clusters"]
    run.vectors = result["vectors"]
    run.note = result["note"][:200]
    run.matches = result["matches"]
    run.seconds = result["seconds"]
    run.state, run.finished_at = ClusterState.DONE, timezone.now()
    run.save()
    audit_record(
        "navigation.clusters_done",
        obj=run,
        tenant_id=run.scope.organization_id,
        detail={"patents": run.patents, "clusters": len(run.clusters), "seconds": run.seconds},
    )
    return run
